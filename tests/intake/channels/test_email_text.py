"""HTML flattening, reply-quote stripping and subject prefixes for e-mail text."""

from __future__ import annotations

from complaint_service.intake.channels.email_text import html_to_text, strip_quoted, strip_reply_prefixes


class TestHtmlToText:
    def test_markdown_escapes_and_hard_breaks_do_not_leak(self) -> None:
        html = "<p>1. 订单 DD2026</p><p>- 退款 + 赔偿<br>第二行</p><p>a_b *c*</p>"

        assert html_to_text(html) == "1. 订单 DD2026\n\n- 退款 + 赔偿\n第二行\n\na_b *c*"


class TestStripQuoted:
    def test_bottom_posted_answer_below_the_quote_is_kept(self) -> None:
        text = (
            "On Fri, Nov 20, 2026 at 10:15 AM Shop Support <support@shop.example.com> wrote:\n"
            "> Could you send the order number?\n\n"
            "It is DD20261118001.\n"
            "> And a photo?\n"
            "Attached.\n"
        )

        assert strip_quoted(text) == "It is DD20261118001.\nAttached."

    def test_customer_sentences_that_look_like_headers_are_kept(self) -> None:
        text = "快递员在留言里写道：\n放在门口了。\nFrom: 北京仓库 to 上海，一直没有更新物流。\n"

        assert strip_quoted(text) == text.strip()

    def test_outlook_rule_line_above_the_header_block_is_removed(self) -> None:
        text = (
            "请尽快处理。\n\n________________________________\n发件人: 客服中心\n"
            "发送时间: 2026年11月20日 15:02\n收件人: 王堃\n主题: 回复：投诉\n\n已收到。\n"
        )

        assert strip_quoted(text) == "请尽快处理。"

    def test_quote_only_text_leaves_nothing(self) -> None:
        assert strip_quoted("> 您好\n> 客服中心\n") == ""


class TestStripReplyPrefixes:
    def test_mixed_language_prefixes(self) -> None:
        assert strip_reply_prefixes("Re: 回复：RE[2]: 答复: Fwd: 轉寄：退款进度") == "退款进度"

    def test_subject_without_prefix_is_unchanged(self) -> None:
        assert strip_reply_prefixes("Refund for order DD2026") == "Refund for order DD2026"
