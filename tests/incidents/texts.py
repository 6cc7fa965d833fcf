"""Complaint texts for incident tests: one outage told by many people, and unrelated everyday traffic."""

from __future__ import annotations

# "App crashes after 5.2.1": Simplified, Traditional and English, each customer in their own words.
CRASH_HANS = [
    "更新到5.2.1以后一打开APP就闪退，根本用不了",
    "升级5.2.1版本后APP闪退，一打开就闪退",
    "5.2.1更新后一直闪退，打开就退出来了",
    "APP升级到5.2.1之后闪退，点开就闪退，怎么回事",
    "刚更新了5.2.1，APP打开就闪退，没法下单",
    "新版本5.2.1一打开就闪退，重装也没用",
]
CRASH_HANT = [
    "更新到5.2.1以後一打開APP就閃退，根本用不了",
    "升級5.2.1版本後APP閃退，一打開就閃退",
    "5.2.1更新後一直閃退，打開就退出來了",
    "APP升級到5.2.1之後閃退，點開就閃退，怎麼回事",
]
CRASH_EN = [
    "The app crashes right after I open it since the 5.2.1 update",
    "Since updating to 5.2.1 the app crashes every time I open it",
    "App crashes on launch after the 5.2.1 update, cannot place orders",
    "After the 5.2.1 update the app keeps crashing when I open it",
]

# "支付失败": a payment outage, without any app version.
PAYMENT_HANS = [
    "支付失败，一直提示系统繁忙，钱扣了订单没生成",
    "刚才付款一直支付失败，提示系统繁忙",
    "微信支付失败，提示系统繁忙，扣款了订单却没有生成",
    "支付失败了好几次，提示系统繁忙请稍后再试",
]
PAYMENT_HANT = [
    "支付失敗，一直提示系統繁忙，錢扣了訂單沒生成",
    "剛才付款一直支付失敗，提示系統繁忙",
    "微信支付失敗，提示系統繁忙，扣款了訂單卻沒有生成",
]

# Everyday product defects, each about something else.
STEADY = [
    "搜索框输入中文后没有任何结果",
    "购物车里的商品数量改不了",
    "收货地址保存不了，点保存没反应",
    "优惠券页面显示空白",
    "消息通知一条都收不到",
    "头像上传以后显示的是别人的照片",
    "夜间模式下文字看不清",
    "订单详情里的物流信息不更新",
    "直播间画面卡顿严重",
    "评价晒图上传失败",
    "積分明細頁面一直轉圈載入不出來",
    "客服聊天視窗無法發送圖片",
    "商品收藏清單不見了",
    "語音搜尋功能沒有反應",
    "發票資訊填寫後無法提交",
    "The search filter for price does not work",
    "My wishlist disappeared after logging in again",
    "Push notifications arrive two hours late",
    "The size chart shows the wrong units",
    "Video reviews do not play on my tablet",
    "Dark mode makes the checkout button invisible",
    "Coupons page is blank on Android",
    "The map in order tracking never loads",
    "Cannot change my profile picture",
    "Voice input in the chat does nothing",
    "地址簿里的默认地址总是被重置",
    "分享商品链接到微信打不开",
    "签到领积分按钮点了没反应",
    "商品图片放大后很模糊",
    "退货申请页面的下拉菜单选不了",
]
