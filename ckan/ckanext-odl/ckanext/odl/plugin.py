"""CKAN plugin entry point for odl.

The PostgreSQL-backed search that replaces Solr on the embedded stack is added
by the local-stack work; the plugin is registered now so `.venv-ckan` always
carries the project's extension and `ckan.plugins = odl_search` resolves.
"""

import ckan.plugins as plugins


class OdlSearchPlugin(plugins.SingletonPlugin):
    pass
