"""Pipelines, stages, deals, their history, and the catalogues deals draw from."""

from .catalog import Currency, ExchangeRate, LostReason, Product, WonReason
from .deals import Deal, DealLineItem, DealType, ForecastCategory, StageHistory
from .pipelines import Pipeline, Stage, StageKind

__all__ = [
    "Currency",
    "Deal",
    "DealLineItem",
    "DealType",
    "ExchangeRate",
    "ForecastCategory",
    "LostReason",
    "Pipeline",
    "Product",
    "Stage",
    "StageHistory",
    "StageKind",
    "WonReason",
]
