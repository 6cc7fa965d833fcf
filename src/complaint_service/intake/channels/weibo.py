"""Weibo mentions, comments and private messages as the Weibo open-platform push delivers them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AliasChoices, BeforeValidator, Field

from complaint_service.core.schemas import Schema
from complaint_service.intake.channels.base import ChannelPayload, ComplaintDraft, IdentityIn
from complaint_service.intake.channels.fields import (
    NAIVE_TZ_NOTE,
    Body,
    ExternalId,
    Timestamp,
    Url,
    attachment_from_url,
    compact,
    payload_config,
)
from complaint_service.models.enums import Channel, IdentityKind


def _weibo_time(value: Any) -> Any:
    """Weibo writes `Sun Nov 22 10:30:00 +0800 2026`; anything else is left for ISO 8601 parsing."""
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip(), "%a %b %d %H:%M:%S %z %Y")
        except ValueError:
            return value
    return value


WeiboTime = Annotated[Timestamp, BeforeValidator(_weibo_time, json_schema_input_type=str)]


class WeiboUser(Schema):
    id: ExternalId = Field(
        validation_alias=AliasChoices("id", "uid", "idstr"),
        description="Weibo uid (`id`, `uid` or `idstr`); numbers are kept exact as text.",
        examples=["5623198870"],
    )
    screen_name: str = Field(min_length=1, max_length=100, description="Nickname shown on Weibo.")
    profile_image_url: Url | None = None
    verified: bool = Field(default=False, description="Blue-V / orange-V verified account.")
    followers_count: int | None = Field(
        default=None, ge=0, description="Reach of the author; a large following raises media risk."
    )


class WeiboPicture(Schema):
    url: Url = Field(
        validation_alias=AliasChoices("original_pic", "large", "bmiddle_pic", "url", "thumbnail_pic"),
        description="Picture URL; the largest size given wins (`original_pic` > `large` > `bmiddle_pic` > "
        "`url` > `thumbnail_pic`).",
    )


class WeiboStatusRef(Schema):
    id: ExternalId = Field(description="Id of the Weibo post that was commented on.")
    text: str | None = Field(default=None, max_length=5000, description="Text of that post.")


class WeiboPayload(ChannelPayload):
    """One Weibo item addressed to the brand: an @-mention, a comment on its post, or a private message."""

    channel: ClassVar[Channel] = Channel.weibo

    type: Literal["mention", "comment", "direct_message"] = Field(
        description="`mention`: a post @-ing the brand; `comment`: a comment on a brand post; "
        "`direct_message`: a private message to the brand account."
    )
    id: ExternalId = Field(
        description="Status, comment or message id. Weibo ids exceed 2**53, so send them as strings "
        "(numbers are accepted and kept exact). Becomes the complaint's external id."
    )
    created_at: WeiboTime = Field(
        description="When the item was posted: Weibo's `Sun Nov 22 10:30:00 +0800 2026` or ISO 8601. "
        + NAIVE_TZ_NOTE
    )
    text: Body = Field(description="Text as posted, @-mentions and emoji included.")
    user: WeiboUser = Field(description="The author (for private messages: the sender).")
    pictures: list[WeiboPicture] = Field(
        default_factory=list,
        max_length=18,
        validation_alias=AliasChoices("pic_urls", "pics", "pictures"),
        description="Attached pictures (`pic_urls` in the open API, `pics` in the mobile API).",
    )
    status: WeiboStatusRef | None = Field(
        default=None, description="For `comment`: the post that was commented on."
    )
    source: str | None = Field(default=None, max_length=200, description="Client it was posted from.")
    reposts_count: int | None = Field(default=None, ge=0)
    comments_count: int | None = Field(default=None, ge=0)
    attitudes_count: int | None = Field(default=None, ge=0, description="Likes.")

    model_config = payload_config(
        {
            "type": "mention",
            "id": "5105723196491853",
            "created_at": "Sun Nov 22 10:30:00 +0800 2026",
            "text": "@乐购商城客服 我19号下的单，快递三天没更新了，物流一直停在“已揽收”，"
            "订单号 LG202611190835，到底什么时候能到？",
            "user": {
                "id": 5623198870,
                "screen_name": "小鹿今天不加班",
                "verified": False,
                "followers_count": 1284,
            },
            "pic_urls": [
                {"thumbnail_pic": "https://wx1.sinaimg.cn/thumbnail/006Xq8Ygly1hw3k2s9f0aj30u01hcq8b.jpg"}
            ],
            "source": "iPhone 15 Pro",
            "reposts_count": 3,
            "comments_count": 12,
            "attitudes_count": 57,
        },
        {
            "type": "comment",
            "id": "5105731140862210",
            "created_at": "2026-11-22T11:02:45+08:00",
            "text": "同一笔订单被重复扣款 ¥199.00，客服电话一直打不通，再不处理我就投诉到12315了",
            "user": {"idstr": "7716350244", "screen_name": "Echo_在上海"},
            "status": {"id": "5105690012334521", "text": "双十一售后服务升级公告"},
        },
    )

    def to_draft(self) -> ComplaintDraft:
        return ComplaintDraft(
            channel=self.channel,
            external_id=self.id,
            received_at=self.created_at,
            body=self.text,
            author=self.user.screen_name,
            identities=[IdentityIn(kind=IdentityKind.weibo_uid, value=self.user.id)],
            attachments=[attachment_from_url(p.url) for p in self.pictures],
            thread_refs=[self.status.id] if self.status else [],
            channel_data=compact(
                type=self.type,
                screen_name=self.user.screen_name,
                verified=self.user.verified,
                followers_count=self.user.followers_count,
                source=self.source,
                status=self.status.model_dump(exclude_none=True) if self.status else None,
                reposts_count=self.reposts_count,
                comments_count=self.comments_count,
                attitudes_count=self.attitudes_count,
            ),
        )
