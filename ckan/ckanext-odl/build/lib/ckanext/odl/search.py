"""Dataset search from CKAN's own PostgreSQL tables, for a CKAN without Solr.

CKAN's database is the source of truth, so the index is a no-op and every
query reads the tables directly. Free text matches by substring (ILIKE after
NFKC normalisation): Japanese has no spaces between words, so whitespace
tokens would never find 避難 inside 指定緊急避難場所一覧. Whitespace-separated
terms are ANDed, "quoted phrases" are one term, `-term` excludes.

The query language understood is the subset of Solr syntax that CKAN itself
and its API clients send: `field:value`, `field:"quoted"`, `field:(a OR b)`,
`+`/`-` prefixes, `OR` between clauses, `*:*`. Supported fields are listed in
EXACT_FIELDS and TEXT_FIELDS, plus `vocab_<name>` and `extras_<key>`; an
unknown field in `fq` is an error rather than a silently ignored filter.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.lib.search.index import PackageSearchIndex
from ckan.lib.search.query import VALID_SOLR_PARAMETERS, PackageSearchQuery
from ckan.plugins import toolkit

log = logging.getLogger(__name__)

package = model.package_table
group = model.group_table
member = model.member_table
package_tag = model.package_tag_table
tag = model.tag_table
resource = model.resource_table
extra = model.package_extra_table
vocabulary = model.Vocabulary.__table__
organization = group.alias("organization")

# Solr `string` fields: matched exactly.
EXACT_FIELDS = {
    "id",
    "name",
    "state",
    "type",
    "dataset_type",
    "license_id",
    "owner_org",
    "organization",
    "groups",
    "tags",
    "res_format",
    "res_type",
    "capacity",
    "creator_user_id",
    "site_id",
    "entity_type",
}
# Solr `text` fields: matched by substring. `text` is everything searchable.
TEXT_FIELDS = {"text", "title", "notes", "name_ngram", "title_ngram", "author", "maintainer", "res_name"}
FACET_FIELDS = {"organization", "owner_org", "groups", "tags", "res_format", "license_id", "dataset_type", "type"}
SORT_FIELDS = {"metadata_modified", "metadata_created", "name", "title", "title_string", "score", "rank"}

TOKEN = re.compile(
    r"""(?P<prefix>[+-]?)
        (?:(?P<field>[A-Za-z_][A-Za-z0-9_.]*):(?!\s))?
        (?P<value>"(?:[^"\\]|\\.)*"|\((?:[^)\\]|\\.)*\)|\[[^\]]*\]|\{[^}]*\}|\S+)""",
    re.VERBOSE,
)
SOLR_ESCAPE = re.compile(r"\\(.)")


class OdlPackageSearchIndex(PackageSearchIndex):
    """Nothing to index: package_search reads CKAN's tables, which are always current."""

    def index_package(self, pkg_dict: dict[str, Any] | None, defer_commit: bool = False) -> None:
        return None

    def delete_package(self, pkg_dict: dict[str, Any]) -> None:
        return None

    def commit(self) -> None:
        return None

    def clear(self) -> None:
        return None


@dataclass
class Clause:
    """One `[+-]field:value` of a query; field None means free text."""

    prefix: str
    field: str | None
    values: list[str]


def normalise(text: str) -> str:
    """Full-width ASCII to half-width, half-width katakana to full-width, as PostgreSQL's NFKC does."""
    return unicodedata.normalize("NFKC", text)


def _unquote(raw: str) -> list[str]:
    if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
        return [SOLR_ESCAPE.sub(r"\1", raw[1:-1])]
    if raw.startswith("(") and raw.endswith(")"):
        inner = [token.group("value") for token in TOKEN.finditer(raw[1:-1])]
        return [value for item in inner if item.upper() not in ("OR", "||") for value in _unquote(item)]
    if raw[:1] in "[{":
        raise SearchQueryError(f"Range queries are not supported without Solr: {raw}")
    return [SOLR_ESCAPE.sub(r"\1", raw)]


def parse(text: str, *, strict: bool = False) -> list[Clause | str]:
    """Clauses in order, with the connectives "OR", "AND" and "NOT" kept as strings.

    strict (for fq): an unknown field is an error; otherwise `時刻:10:00` is just free text.
    """
    items: list[Clause | str] = []
    for token in TOKEN.finditer(text):
        prefix, field, raw = token.group("prefix"), token.group("field"), token.group("value")
        if not field and not prefix and raw.upper() in ("OR", "||", "AND", "&&", "NOT"):
            items.append({"||": "OR", "&&": "AND"}.get(raw, raw.upper()))
            continue
        if field is None and raw in ("*", "*:*"):
            continue
        if field is not None and not _known(field):
            if strict:
                raise SearchQueryError(f"Unsupported search field without Solr: {field}")
            field, raw = None, f"{field}:{raw}"
        items.append(Clause(prefix, field, _unquote(raw)))
    return items


def _known(field: str) -> bool:
    return field in EXACT_FIELDS or field in TEXT_FIELDS or field.startswith(("vocab_", "extras_"))


def _like(text: str) -> str:
    escaped = normalise(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").strip("*")
    return f"%{escaped}%"


def _nfkc(expression: Any) -> Any:
    return sa.func.normalize(sa.func.coalesce(expression, ""), sa.literal_column("NFKC"))


def _agg(column: Any, *where: Any) -> Any:
    """A package's related rows (tags, resources, …) as one string, for free-text matching."""
    return sa.select(sa.func.string_agg(column, " ")).where(*where).scalar_subquery()


def _active_tags(*where: Any) -> Any:
    return (
        sa.select(package_tag.c.package_id)
        .select_from(package_tag.join(tag, tag.c.id == package_tag.c.tag_id))
        .where(package_tag.c.state == "active", *where)
    )


def _document() -> Any:
    """Everything a free-text term may match in, per package."""
    group_titles = (
        sa.select(sa.func.string_agg(sa.func.concat_ws(" ", group.c.name, group.c.title), " "))
        .select_from(member.join(group, group.c.id == member.c.group_id))
        .where(member.c.table_id == package.c.id, member.c.table_name == "package", member.c.state == "active")
        .scalar_subquery()
    )
    return sa.func.concat_ws(
        " ",
        package.c.name,
        package.c.title,
        package.c.notes,
        package.c.author,
        package.c.maintainer,
        package.c.version,
        organization.c.name,
        organization.c.title,
        _agg(
            tag.c.name,
            tag.c.id == package_tag.c.tag_id,
            package_tag.c.package_id == package.c.id,
            package_tag.c.state == "active",
        ),
        _agg(
            sa.func.concat_ws(" ", resource.c.name, resource.c.description, resource.c.format),
            resource.c.package_id == package.c.id,
            resource.c.state == "active",
        ),
        _agg(extra.c.value, extra.c.package_id == package.c.id, extra.c.state == "active"),
        group_titles,
    )


def _text_condition(field: str | None, value: str, document: Any) -> Any:
    pattern = _like(value)
    if field in (None, "text"):
        return _nfkc(document).ilike(pattern)
    if field in ("title", "title_ngram"):
        return _nfkc(package.c.title).ilike(pattern)
    if field == "name_ngram":
        return package.c.name.ilike(pattern)
    if field == "res_name":
        return package.c.id.in_(
            sa.select(resource.c.package_id).where(resource.c.state == "active", _nfkc(resource.c.name).ilike(pattern))
        )
    return _nfkc(getattr(package.c, field)).ilike(pattern)


def _exact_condition(field: str, value: str) -> Any:
    """Solr string fields; `*` means the field has any value."""
    anything = value == "*"
    if field in ("site_id", "entity_type"):
        return sa.true()
    if field == "capacity":
        return package.c.private.is_(value == "private")
    if field in ("id", "name", "state", "license_id", "owner_org", "creator_user_id", "type", "dataset_type"):
        column = package.c.type if field == "dataset_type" else getattr(package.c, field)
        return column.isnot(None) if anything else column == value
    if field == "organization":
        return package.c.owner_org.in_(
            sa.select(group.c.id).where(
                group.c.is_organization.is_(True), sa.true() if anything else group.c.name == value
            )
        )
    if field == "groups":
        return package.c.id.in_(
            sa.select(member.c.table_id)
            .select_from(member.join(group, group.c.id == member.c.group_id))
            .where(
                member.c.table_name == "package",
                member.c.state == "active",
                group.c.is_organization.is_(False),
                sa.true() if anything else group.c.name == value,
            )
        )
    if field == "tags":
        return package.c.id.in_(
            _active_tags(tag.c.vocabulary_id.is_(None), sa.true() if anything else tag.c.name == value)
        )
    if field.startswith("vocab_"):
        vocabulary_ids = sa.select(vocabulary.c.id).where(vocabulary.c.name == field.removeprefix("vocab_"))
        return package.c.id.in_(
            _active_tags(tag.c.vocabulary_id.in_(vocabulary_ids), sa.true() if anything else tag.c.name == value)
        )
    if field.startswith("extras_"):
        return package.c.id.in_(
            sa.select(extra.c.package_id).where(
                extra.c.state == "active",
                extra.c.key == field.removeprefix("extras_"),
                sa.true() if anything else extra.c.value == value,
            )
        )
    if field in ("res_format", "res_type"):
        column = resource.c.format if field == "res_format" else resource.c.resource_type
        return package.c.id.in_(
            sa.select(resource.c.package_id).where(
                resource.c.state == "active", column.isnot(None) if anything else column == value
            )
        )
    raise SearchQueryError(f"Unsupported search field without Solr: {field}")


def _clause_condition(clause: Clause, document: Any) -> Any:
    field = clause.field
    exact = field is not None and field not in TEXT_FIELDS
    conditions = [
        _exact_condition(field, value) if exact else _text_condition(field, value, document)
        for value in clause.values
        if exact or value.strip("*")
    ]
    return sa.or_(*conditions) if conditions else sa.true()


def to_condition(text: str, document: Any, *, strict: bool = False) -> tuple[Any, list[str]]:
    """The SQL condition for a q or fq string, and the free-text terms in it (for ranking).

    Lucene semantics: `+clause` is required, `-clause` (or NOT clause) excluded, and
    unprefixed clauses are required too (CKAN sets q.op=AND) unless joined by OR.
    """
    required: list[Any] = []
    alternatives: list[list[Any]] = []
    terms: list[str] = []
    joined = negate = False
    previous_optional = False
    for item in parse(text, strict=strict):
        if isinstance(item, str):
            joined = item == "OR"
            negate = item == "NOT"
            continue
        condition = _clause_condition(item, document)
        if item.prefix == "-" or negate:
            required.append(sa.not_(condition))
            previous_optional = False
        elif item.prefix == "+":
            required.append(condition)
            previous_optional = False
        else:
            if joined and previous_optional:
                alternatives[-1].append(condition)
            else:
                alternatives.append([condition])
            previous_optional = True
        if item.field in (None, "text") and item.prefix != "-" and not negate:
            terms.extend(value for value in item.values if value.strip("*"))
        joined = negate = False
    required.extend(sa.or_(*group_) for group_ in alternatives)
    return sa.and_(sa.true(), *required), terms


def permission_condition(labels: list[str]) -> Any:
    """CKAN's default permission labels (ckan.lib.plugins.DefaultPermissionLabels) as SQL.

    Unknown labels match nothing, so a custom labelling scheme can hide datasets but never leak them.
    """
    public = sa.and_(package.c.state == "active", package.c.private.is_(False))
    conditions = []
    for label in labels:
        kind, _, value = label.partition("-")
        if label == "public":
            conditions.append(public)
        elif kind == "member":
            conditions.append(sa.and_(sa.not_(public), package.c.owner_org == value))
        elif kind == "creator":
            conditions.append(
                sa.and_(sa.not_(public), package.c.owner_org.is_(None), package.c.creator_user_id == value)
            )
        elif kind == "collaborator" and toolkit.asbool(config.get("ckan.auth.allow_dataset_collaborators")):
            conditions.append(sa.and_(sa.not_(public), package.c.id == value))
    return sa.or_(sa.false(), *conditions)


def _facet(field: str, matched: Any, limit: int, mincount: int) -> dict[str, int]:
    ids = matched.c.id
    count = sa.func.count(sa.distinct(ids)).label("count")
    if field in ("organization", "owner_org"):
        key = group.c.name if field == "organization" else package.c.owner_org
        joins = package.join(group, group.c.id == package.c.owner_org)
        select = sa.select(key, count).select_from(matched.join(joins, package.c.id == ids))
    elif field in ("license_id", "dataset_type", "type"):
        key = package.c.license_id if field == "license_id" else package.c.type
        select = sa.select(key, count).select_from(matched.join(package, package.c.id == ids))
    elif field == "tags":
        key = tag.c.name
        joins = package_tag.join(tag, tag.c.id == package_tag.c.tag_id)
        select = (
            sa.select(key, count)
            .select_from(matched.join(joins, package_tag.c.package_id == ids))
            .where(package_tag.c.state == "active", tag.c.vocabulary_id.is_(None))
        )
    elif field == "res_format":
        key = resource.c.format
        select = (
            sa.select(key, count)
            .select_from(matched.join(resource, resource.c.package_id == ids))
            .where(resource.c.state == "active")
        )
    else:  # groups
        key = group.c.name
        joins = member.join(group, group.c.id == member.c.group_id)
        select = (
            sa.select(key, count)
            .select_from(matched.join(joins, member.c.table_id == ids))
            .where(member.c.table_name == "package", member.c.state == "active", group.c.is_organization.is_(False))
        )
    select = (
        select.where(key.isnot(None), key != "")
        .group_by(key)
        .having(sa.func.count(sa.distinct(ids)) >= max(mincount, 1))
        .order_by(sa.desc("count"), key)
    )
    if limit >= 0:
        select = select.limit(limit)
    return {name: number for name, number in model.Session.execute(select)}


def _order_by(sort: str, score: Any | None) -> list[Any]:
    """ORDER BY for a Solr sort string; ranking by score means nothing without free-text terms."""
    order: list[Any] = []
    for part in filter(None, (piece.strip() for piece in sort.split(","))):
        field, _, direction = part.partition(" ")
        direction = direction.strip().lower() or "asc"
        if field not in SORT_FIELDS or direction not in ("asc", "desc"):
            raise SearchQueryError('Invalid "sort" parameter')
        column = {
            "score": score,
            "rank": score,
            "title_string": sa.func.lower(package.c.title),
            "title": sa.func.lower(package.c.title),
        }.get(field, getattr(package.c, field, None))
        if column is None:
            continue
        order.append(column.desc() if direction == "desc" else column.asc())
    return [*order, package.c.id]


def _score(terms: list[str], document: Any) -> Any | None:
    """Solr-like weights: name and title 4, anywhere else 1, summed over the terms."""
    if not terms:
        return None
    parts = []
    for term in terms:
        pattern = _like(term)
        parts.append(sa.case((_nfkc(package.c.title).ilike(pattern), 4), (package.c.name.ilike(pattern), 4), else_=0))
        parts.append(sa.case((_nfkc(document).ilike(pattern), 1), else_=0))
    return sum(parts[1:], parts[0])


def _fields(fl: Any) -> list[str]:
    if isinstance(fl, list | tuple):
        fl = " ".join(fl)
    return [field for field in re.split(r"[\s,]+", str(fl or "name")) if field]


def _result(row: Any, fields: list[str]) -> dict[str, Any]:
    """One result document, with the keys Solr would have returned for fl (unknown fields are left out).

    The stored dataset dicts Solr keeps (validated_data_dict, data_dict) are package_show's output, read now.
    """
    if "*" in fields:
        fields = [field for field in row._fields if field not in ("plugin_data", "score")] + ["capacity"]
    document: dict[str, Any] = {}
    for field in fields:
        if field in ("validated_data_dict", "data_dict"):
            context = {"ignore_auth": True, "use_cache": False, "validate": field == "validated_data_dict"}
            document[field] = json.dumps(toolkit.get_action("package_show")(context, {"id": row.id}))
        elif field == "capacity":
            document[field] = "private" if row.private else "public"
        elif field in row._fields:
            value = getattr(row, field)
            document[field] = value.isoformat() if hasattr(value, "isoformat") else value
    return document


class OdlPackageSearchQuery(PackageSearchQuery):
    """package_search from PostgreSQL: same inputs (a Solr-style query dict), same outputs."""

    def get_all_entity_ids(self, max_results: int = 1000) -> list[str]:
        select = sa.select(package.c.id).where(package.c.state == "active").limit(max_results)
        return [identifier for (identifier,) in model.Session.execute(select)]

    def get_index(self, reference: str) -> dict[str, Any]:
        # package_show falls back to the database on SearchError, which is what we want: no cached copy.
        raise SearchError(f"No search index without Solr; read {reference} from the database")

    def run(self, query: dict[str, Any], permission_labels: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
        unknown = set(query) - VALID_SOLR_PARAMETERS - {"q.op"}
        if unknown:
            raise SearchQueryError(f"Invalid search parameters: {sorted(unknown)}")
        document = _document().label("document")

        q = str(query.get("q") or "")
        condition, terms = to_condition("" if q.strip() in ('""', "''") else q, document)
        filters = [condition]
        fq_list = [query.get("fq") or "", *(query.get("fq_list") or [])]
        for fq in fq_list:
            filters.append(to_condition(fq, document, strict=True)[0])
        if not any(re.search(r"(^|[\s+(])state:", fq or "") for fq in fq_list):
            filters.append(package.c.state == "active")
        if permission_labels is not None:
            filters.append(permission_condition(permission_labels))

        joined = package.outerjoin(organization, organization.c.id == package.c.owner_org)
        matched = sa.select(package.c.id).select_from(joined).where(*filters).subquery("matched")
        self.count = model.Session.execute(sa.select(sa.func.count()).select_from(matched)).scalar_one()

        self.facets = {}
        if str(query.get("facet", "true")).lower() != "false":
            limit = int(query.get("facet.limit", config.get("search.facets.limit")))
            mincount = int(query.get("facet.mincount", 1))
            facet_fields = query.get("facet.field") or []
            for field in json.loads(facet_fields) if isinstance(facet_fields, str) else facet_fields:
                if field in FACET_FIELDS:
                    self.facets[field] = _facet(field, matched, limit, mincount)
                else:  # as Solr does for a field no dataset has
                    log.warning("facet on %s is not supported without Solr; it is returned empty", field)
                    self.facets[field] = {}

        rows, start = int(query.get("rows", 10)), int(query.get("start", 0) or 0)
        fields = _fields(query.get("fl"))
        self.results = []
        if rows > 0 and self.count > start:
            score = _score(terms, document)
            sort = str(query.get("sort") or config.get("ckan.search.default_package_sort"))
            select = (
                sa.select(
                    *package.c,
                    organization.c.name.label("organization"),
                    (sa.literal(0) if score is None else score).label("score"),
                )
                .select_from(joined)
                .where(*filters)
                .order_by(*_order_by(sort, score))
                .limit(rows)
                .offset(start)
            )
            self.results = [_result(row, fields) for row in model.Session.execute(select)]
        if fields in (["id"], ["name"]):
            self.results = [result[fields[0]] for result in self.results]
        return {"results": self.results, "count": self.count}
