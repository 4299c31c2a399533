from crm.api.routers import Router
from pipeline.api import DealViewSet
from pipeline.api_config import (
    CurrencyViewSet,
    ExchangeRateViewSet,
    LostReasonViewSet,
    PipelineViewSet,
    ProductViewSet,
    StageViewSet,
    WonReasonViewSet,
)

router = Router()
router.register("deals", DealViewSet, basename="deal")
router.register("pipelines", PipelineViewSet, basename="pipeline")
router.register("stages", StageViewSet, basename="stage")
router.register("products", ProductViewSet, basename="product")
router.register("lost-reasons", LostReasonViewSet, basename="lost-reason")
router.register("won-reasons", WonReasonViewSet, basename="won-reason")
router.register("currencies", CurrencyViewSet, basename="currency")
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")

urlpatterns = router.urls
