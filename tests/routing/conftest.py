"""The shipped Kediri catalog and one router over it, built once: both are read-only."""

from __future__ import annotations

import pytest

from routing.catalog import Catalog, load_catalog
from routing.matcher import Router
from tests.routing.paths import SHIPPED_CATALOG


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(SHIPPED_CATALOG)


@pytest.fixture(scope="session")
def router(catalog: Catalog) -> Router:
    return Router(catalog)
