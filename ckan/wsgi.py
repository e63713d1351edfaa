"""WSGI entry point for CKAN under gunicorn: `gunicorn --chdir ckan wsgi:application` with CKAN_INI set.

`ckan run` is a file-watching reloader (slow start, changing PID), so the stack serves CKAN this way.
"""

import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

config_file = os.environ["CKAN_INI"]
fileConfig(config_file, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(config_file).get_config())
