"""The load test's report (standard library only): p50/p95/p99 per request type and the failures, as the locustfile
wrote them once every user had stopped, and the hours check; printed and written as Markdown.

    python3 loadtest/report.py --stats var/loadtest/stats.json --check var/loadtest/check.txt \
        --out var/loadtest/report.md --title "50 utilisateurs, 5 min"
"""

import argparse
import json
import os
from datetime import datetime
from pathlib import Path


def _ms(value):
    return f"{value:,.0f}".replace(",", " ") if value is not None else "—"


def table(entries):
    lines = [
        "| requête | nombre | échecs | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for e in entries:
        name = "**total**" if e["name"] == "Aggregated" else f"{e['method']} {e['name']}"
        lines.append(
            f"| {name} | {e['requests']} | {e['failures']} | {_ms(e['p50'])} | {_ms(e['p95'])} | {_ms(e['p99'])} "
            f"| {_ms(e['max'])} | {e['rps']:.2f} |"
        )
    return lines


def server_side(access_log):
    """Time spent inside gunicorn's workers (from the access log), against the time Locust saw: the difference is
    the wait for a free worker."""
    if not access_log or not access_log.exists():
        return []
    lines = [line for line in access_log.read_text().splitlines() if line.strip() and "/healthz" not in line]
    times = sorted(int(line.split()[1]) for line in lines)  # readiness probes are not the users'
    if not times:
        return []

    def at(share):
        return times[min(len(times) - 1, int(share * len(times)))]

    return [
        f"Temps passé dans les processus gunicorn (journal d'accès, {len(times)} requêtes) : p50 {_ms(at(0.5))} ms, "
        f"p95 {_ms(at(0.95))} ms, p99 {_ms(at(0.99))} ms ; le reste du temps vu par Locust est surtout l'attente "
        "d'un processus libre (et Locust lui-même, sur la même machine).",
        "",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stats", type=Path, required=True, help="figures written by the locustfile at the end")
    parser.add_argument("--check", type=Path, required=True, help="output of check_hours.py")
    parser.add_argument("--access-log", type=Path, help="gunicorn's access log: status, milliseconds, request")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--title", default="")
    args = parser.parse_args()
    if not args.stats.exists():
        raise SystemExit(f"Pas de statistiques ({args.stats}) : le test de charge n'a pas abouti.")
    stats = json.loads(args.stats.read_text(encoding="utf-8"))
    load = os.getloadavg()
    lines = [
        f"# Test de charge — {args.title}" if args.title else "# Test de charge",
        "",
        f"Mesuré le {datetime.now():%d/%m/%Y à %H:%M} sur {os.cpu_count()} cœurs "
        f"(charge moyenne à la fin : {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}). Temps de réponse vus par Locust "
        "(arrondis à deux chiffres significatifs au-delà de 100 ms) ; données brutes : locust_stats.csv, locust.html.",
        "",
        *table(stats["entries"]),
        "",
        *server_side(args.access_log),
        "## Échecs",
        "",
    ]
    errors = stats["errors"]
    lines += [f"- {e['method']} {e['name']} : {e['error']} ({e['occurrences']} fois)" for e in errors] or ["Aucun."]
    lines += ["", "## Heures", "", args.check.read_text().strip() if args.check.exists() else "Non vérifiées.", ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
