"""The survey invitation and question, in the customer's language (the acknowledgement's choice)."""

from __future__ import annotations

from complaint_service.triage.acknowledgement import template_language

INVITATIONS = {
    "zh-Hans": "您好，您的投诉（编号 {reference}）已处理完毕。请为我们的处理打分（1–5 分）：{link} "
    "链接 {days} 天内有效，仅可提交一次。",
    "zh-Hant": "您好，您的投訴（編號 {reference}）已處理完畢。請為我們的處理評分（1–5 分）：{link} "
    "連結 {days} 天內有效，僅可提交一次。",
    "en": "Your complaint {reference} has been resolved. How satisfied are you with how we handled it? "
    "Rate us from 1 to 5: {link} The link works once, for {days} days.",
}
QUESTIONS = {
    "zh-Hans": "您对投诉 {reference} 的处理结果满意吗？请打分：1 分（非常不满意）到 5 分（非常满意）。",
    "zh-Hant": "您對投訴 {reference} 的處理結果滿意嗎？請評分：1 分（非常不滿意）到 5 分（非常滿意）。",
    "en": "How satisfied are you with how we handled complaint {reference}? "
    "1 (very dissatisfied) to 5 (very satisfied).",
}
# What agents see in the stored message instead of the link: the link is the customer's vote.
HIDDEN_LINK = "[survey link]"


def _days(valid_days: float) -> str:
    return str(int(valid_days)) if float(valid_days).is_integer() else f"{valid_days:g}"


def invitation(*, language: str | None, reference: str, link: str, valid_days: float) -> str:
    return INVITATIONS[template_language(language)].format(
        reference=reference, link=link, days=_days(valid_days)
    )


def question(*, language: str | None, reference: str) -> str:
    return QUESTIONS[template_language(language)].format(reference=reference)
