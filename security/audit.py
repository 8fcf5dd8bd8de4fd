"""Known vulnerabilities in the pinned requirements, checked against a local advisory file.

    python security/audit.py check -r requirements.txt -r requirements-dev.txt
    python security/audit.py refresh -r requirements.txt -r requirements-dev.txt

`check` reads security/advisories.json (OSV records, https://ossf.github.io/osv-schema/) and
needs no network, so it runs wherever the tests run. `refresh` rewrites that file from the OSV
API with every advisory for every pinned package; it needs the network.

Exit status: 0 no pinned version lies in an advisory's affected range; 1 some do (listed);
2 the audit could not check (no advisory data, a requirement that is not an exact pin, an
advisory it cannot read): an audit that checked nothing never passes.
"""

import argparse
import json
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ADVISORIES = Path(__file__).with_name("advisories.json")
OSV_QUERY = "https://api.osv.dev/v1/query"


class CannotCheck(Exception):
    """The audit cannot say anything trustworthy."""


def read_pins(path, seen=None):
    """(name, version) for every requirement in `path` and the files it includes with `-r`.
    Anything but an exact pin (`name==1.2.3`, extras allowed) cannot be checked."""
    path = Path(path)
    seen = set() if seen is None else seen
    if path.resolve() in seen:
        return []
    seen.add(path.resolve())
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise CannotCheck(f"{path}: {error.strerror or error}") from error
    pins = []
    for number, raw in enumerate(lines, 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path}:{number}"
        if line.startswith(("-r ", "--requirement ")):
            pins += read_pins(path.parent / line.split(None, 1)[1], seen)
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise CannotCheck(f"{where}: cannot read {line!r}: {error}") from error
        specifiers = list(requirement.specifier)
        if (
            requirement.url
            or len(specifiers) != 1
            or specifiers[0].operator != "=="
            or "*" in specifiers[0].version
        ):
            raise CannotCheck(f"{where}: {line!r} is not pinned to one version (name==version)")
        try:
            version = Version(specifiers[0].version)
        except InvalidVersion as error:
            raise CannotCheck(f"{where}: {line!r}: {error}") from error
        pins.append((canonicalize_name(requirement.name), version))
    return pins


def read_advisories(path=ADVISORIES):
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CannotCheck(f"no advisory data in {path}: {error}") from error
    records = data.get("vulnerabilities") if isinstance(data, dict) else None
    if not records:
        raise CannotCheck(f"no advisory data in {path}: no vulnerabilities listed")
    return data, records


def _version(value, record_id):
    try:
        return Version(value)
    except InvalidVersion as error:
        raise CannotCheck(f"advisory {record_id}: cannot read version {value!r}") from error


def _in_range(version, events, record_id):
    """OSV's rule: walk the events in version order; an "introduced" at or below the version
    starts an affected stretch, a "fixed" (or "limit") at or below it ends one, and so does a
    "last_affected" below it."""
    points = []
    for event in events:
        ((kind, value),) = event.items()
        if kind not in {"introduced", "fixed", "last_affected", "limit"}:
            raise CannotCheck(f"advisory {record_id}: unknown range event {kind!r}")
        points.append((Version("0") if value == "0" else _version(value, record_id), kind))
    affected = False
    for point, kind in sorted(points, key=lambda item: item[0]):
        if version > point if kind == "last_affected" else version >= point:
            affected = kind == "introduced"
    return affected


def affects(record, name, version):
    """Whether the OSV `record` says PyPI package `name` at `version` is vulnerable."""
    record_id = record.get("id", "?")
    for affected in record.get("affected", ()):
        package = affected.get("package", {})
        if package.get("ecosystem") != "PyPI" or canonicalize_name(package.get("name", "")) != name:
            continue
        listed = {_version(v, record_id) for v in affected.get("versions", ())}
        if version in listed:
            return True
        for version_range in affected.get("ranges", ()):
            if version_range.get("type") == "ECOSYSTEM" and _in_range(
                version, version_range.get("events", ()), record_id
            ):
                return True
    return False


def check(requirement_files, advisories=ADVISORIES):
    if not requirement_files:
        raise CannotCheck("no requirements file given")
    pins = sorted({pin for path in requirement_files for pin in read_pins(path)})
    if not pins:
        raise CannotCheck("no pinned requirement found")
    data, records = read_advisories(advisories)
    found = [
        (name, version, record)
        for name, version in pins
        for record in records
        if affects(record, name, version)
    ]
    return pins, data, records, found


def refresh(requirement_files, advisories=ADVISORIES, osv_url=OSV_QUERY):
    """Every OSV advisory for every pinned package (all versions, so that the file still
    serves after an upgrade or a downgrade)."""
    names = sorted({name for path in requirement_files for name, _ in read_pins(path)})
    records = {}
    for name in names:
        token = None
        while True:
            query = {"package": {"name": name, "ecosystem": "PyPI"}}
            if token:
                query["page_token"] = token
            request = urllib.request.Request(
                osv_url,
                data=json.dumps(query).encode(),
                headers={"Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    answer = json.load(response)
            except (OSError, ValueError) as error:
                raise CannotCheck(f"{osv_url} did not answer for {name}: {error}") from error
            for record in answer.get("vulns", ()):
                records[record["id"]] = {
                    key: record[key]
                    for key in ["id", "aliases", "summary", "modified", "affected"]
                    if key in record
                }
            token = answer.get("next_page_token")
            if not token:
                break
        print(f"{name}: {sum(1 for r in records.values() if _names(r) & {name})} advisories")
    if not records:
        raise CannotCheck("the OSV API returned no advisories at all")
    data = {
        "source": osv_url,
        "updated": datetime.now(UTC).date().isoformat(),
        "vulnerabilities": sorted(records.values(), key=lambda r: r["id"]),
    }
    Path(advisories).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", "utf-8")
    print(f"{len(records)} advisories written to {advisories}")


def _names(record):
    return {
        canonicalize_name(a.get("package", {}).get("name", "")) for a in record.get("affected", ())
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["check", "refresh"])
    parser.add_argument("-r", "--requirement", action="append", default=[], dest="files")
    parser.add_argument("--advisories", default=ADVISORIES, type=Path)
    parser.add_argument("--osv-url", default=OSV_QUERY, help="the OSV query API (refresh)")
    args = parser.parse_args(argv)
    try:
        if args.command == "refresh":
            refresh(args.files, args.advisories, args.osv_url)
            return 0
        pins, data, records, found = check(args.files, args.advisories)
    except CannotCheck as error:
        what = (
            "the advisory file was not changed"
            if args.command == "refresh"
            else "nothing was checked"
        )
        print(f"audit FAILED, {what}: {error}", file=sys.stderr)
        return 2
    for name, version, record in found:
        aliases = ", ".join(record.get("aliases", ()))
        print(f"{name}=={version}: {record['id']}{f' ({aliases})' if aliases else ''}")
        print(f"    {record.get('summary', 'no summary')}")
    print(
        f"{len(pins)} pinned requirements checked against {len(records)} advisories "
        f"({data.get('source', 'unknown source')}, updated {data.get('updated', 'never')}): "
        + (f"{len(found)} known vulnerabilities" if found else "none affects a pinned version")
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
