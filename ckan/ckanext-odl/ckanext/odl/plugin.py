"""CKAN plugin entry point for odl: dataset search from PostgreSQL when no Solr is configured.

Stock CKAN without Solr fails every dataset write (SearchIndexError) and every
package_search, and refuses to start without `solr_url`. With `odl_search` in
ckan.plugins and no `solr_url`, this plugin:

- makes `solr_url` optional (IConfigDeclaration runs before config validation);
- swaps in a no-op package index and a PostgreSQL-backed package query at the
  hook points CKAN reads them from (`ckan.lib.search._INDICES` / `_QUERIES`
  and the module attributes `PackageSearchIndex` / `PackageSearchQuery`, used
  directly by the DataStore and by group dataset counts);
- turns indexing off: the system plugin `synchronous_search` no longer re-reads
  every changed dataset (package_show) only to hand it to the no-op index;
- replaces the start-up Solr schema check, which would only log a connection error.

With `solr_url` set, it changes nothing and Solr serves search as usual.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.lib.search as search
import ckan.plugins as plugins
from ckan.config.declaration import Declaration, Key
from ckan.config.declaration.option import Flag

from ckanext.odl.search import OdlPackageSearchIndex, OdlPackageSearchQuery

log = logging.getLogger(__name__)


def no_solr_schema_to_check(schema_file: str | None = None) -> bool:
    """Stands in for check_solr_schema_version: there is no Solr schema to check."""
    return False


def skip_indexing(self: Any, entity: Any, operation: str) -> None:
    """Stands in for SynchronousSearchPlugin.notify, which re-reads every changed dataset to index it."""


def use_postgresql_search() -> None:
    search.SynchronousSearchPlugin.notify = skip_indexing  # type: ignore[method-assign]
    search._INDICES["package"] = OdlPackageSearchIndex
    search._QUERIES["package"] = OdlPackageSearchQuery
    search.PackageSearchIndex = OdlPackageSearchIndex  # type: ignore[misc]
    search.PackageSearchQuery = OdlPackageSearchQuery  # type: ignore[misc]
    search.check_solr_schema_version = no_solr_schema_to_check


class OdlSearchPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigDeclaration)
    plugins.implements(plugins.IConfigurer)

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        declaration[key.solr_url].flags &= ~Flag.required

    def update_config(self, config: Any) -> None:
        if config.get("solr_url"):
            log.info("solr_url is set: Solr serves dataset search")
            return
        use_postgresql_search()
        log.info("no solr_url: dataset search is served from PostgreSQL, search indexing is off")
