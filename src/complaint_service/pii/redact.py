"""Applying masks to whole response payloads for callers without `pii:read`."""

from __future__ import annotations

from typing import Any

from complaint_service.pii.mask import mask_text


def mask_tree(value: Any) -> Any:
    """Mask every string inside nested dicts and lists (channel data, attachment names)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_tree(v) for v in value]
    return value
