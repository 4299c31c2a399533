"""The active model, loaded from the database once per process and version."""

from dataclasses import dataclass

from leads.scoring.model import FittedModel, load
from leads.scoring.models import ModelStatus, ScoringModel, ScoringSettings

LoadedModel = FittedModel


@dataclass
class _Cache:
    version_id: int | None = None
    model: LoadedModel | None = None


_cache = _Cache()


def load_active_model(settings: ScoringSettings) -> LoadedModel | None:
    """The active version's fitted pipeline (cached per process), or None for rules alone."""
    version_id = settings.active_model_id
    if version_id is None:
        return None
    if _cache.version_id == version_id:
        return _cache.model
    version = ScoringModel.objects.filter(pk=version_id, status=ModelStatus.READY).first()
    model = None
    if version is not None and version.artefact:
        model = load(version)
    _cache.version_id, _cache.model = version_id, model
    return model
