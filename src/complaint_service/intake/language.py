"""A cheap script-based language guess; enough to pick phrase dictionaries and agents."""

from __future__ import annotations

import re

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
# Common characters that exist only in Traditional Chinese; their simplified forms differ.
_TRADITIONAL_ONLY = frozenset(
    "們個這來時說對會還發錢買賣問題無點將體與實應讓帳號貨單務費訂當後經過請為並從關於認識線運態"
    "樣麼開門間現電話網頁軟憑證類義處報導擊難歡復兩錯誤據進務壞損貨運遲盜帳戶詐騙隱資購"
)


def detect_language(text: str) -> str | None:
    """BCP 47 tag for the dominant script: zh-Hans, zh-Hant or en; None when there is no text."""
    sample = text[:4000]
    han = _HAN.findall(sample)
    if han:
        traditional = sum(1 for ch in han if ch in _TRADITIONAL_ONLY)
        return "zh-Hant" if traditional * 20 >= len(han) and traditional >= 2 else "zh-Hans"
    if _LATIN.search(sample):
        return "en"
    return None
