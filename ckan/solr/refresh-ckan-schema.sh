# Sourced by the Solr image's entrypoint (docker-entrypoint-initdb.d) before the core is
# created or loaded. precreate only copies the configset into an empty volume, so without
# this an existing /var/solr volume would keep serving the schema of an older image.
# After a schema change, reindex from CKAN: docker-compose exec ckan ckan search-index rebuild
if [ -d /var/solr/data/ckan/conf ]; then
    cp -f "${CKAN_CONFIGSET:-/opt/solr/server/solr/configsets/ckan}/conf/managed-schema.xml" \
        /var/solr/data/ckan/conf/managed-schema.xml
    echo "odl: refreshed the ckan core's schema from the image"
fi
