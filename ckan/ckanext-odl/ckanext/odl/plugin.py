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

`odl_datastore` (listed after `datastore` in ckan.plugins, so its IDatastore hook sees what the
stock one built) makes `datastore_search` `q` find Japanese substrings on the tables odl loads
(datastore_search.py), adds the action `odl_record_search` across every public table
(record_search.py), its page /odl/search (views.py) and a header button to it (templates/).
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.lib.search as search
import ckan.plugins as plugins
from ckan.config.declaration import Declaration, Key
from ckan.config.declaration.option import Flag
from ckan.plugins import toolkit
from ckan.types import Context
from flask import Blueprint

from ckanext.datastore.interfaces import IDatastore
from ckanext.odl import record_search, views
from ckanext.odl.datastore_search import restore_include_total, rewrite_search
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


@toolkit.side_effect_free
@toolkit.chained_action
def datastore_search(original: Any, context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """CKAN's datastore_search; where the IDatastore hook counted `total` itself, the answer says
    `include_total` as the caller sent it."""
    return restore_include_total(original(context, data_dict))


class OdlDatastorePlugin(plugins.SingletonPlugin):
    plugins.implements(IDatastore, inherit=True)
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.IConfigurer)

    def datastore_validate(
        self, context: Context, data_dict: dict[str, Any], fields_types: dict[str, str]
    ) -> dict[str, Any]:
        """Nothing to take: odl reads the same `q` / `full_text` the stock plugin already accepted."""
        return data_dict

    def datastore_search(
        self, context: Context, data_dict: dict[str, Any], fields_types: dict[str, str], query_dict: dict[str, Any]
    ) -> dict[str, Any]:
        return rewrite_search(context["connection"], data_dict, fields_types, query_dict)

    def get_actions(self) -> dict[str, Any]:
        return {"odl_record_search": record_search.odl_record_search, "datastore_search": datastore_search}

    def get_auth_functions(self) -> dict[str, Any]:
        return {"odl_record_search": record_search.odl_record_search_auth}

    def get_blueprint(self) -> list[Blueprint]:
        return [views.record_search]

    def update_config(self, config: Any) -> None:
        toolkit.add_template_directory(config, "templates")
