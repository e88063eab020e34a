"""Organization-chart page latency against a bare Django view, same client, middleware, database.

    .venv/bin/python bench/bench_org.py [-n 200] [--warmup 20]

Uses a throwaway SQLite database in a temporary directory (or DATABASE_URL if set, e.g. a
PostgreSQL scratch database), fills it with `zhengban demo setup` (the sample regulation: 3
organizations, 37 units, ~110 duties; 262 people; 21 external units), logs a user in with the
Django test client and requests /org/ and a trivial HttpResponse view alternately, so both see
the same session, authentication and middleware. Prints p50/p95 per view and the ratios.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def bare(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="requests per view")
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="zhengban-bench-org-")
    os.environ["ZHENGBAN_VAR_DIR"] = scratch.name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengban.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import clear_url_caches, include, path

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("demo", "setup", stdout=io.StringIO())
    setup_seconds = time.perf_counter() - started

    import zhengban.urls

    module = type(sys)("bench_org_urls")
    module.urlpatterns = [path("bench/bare/", bare), path("", include(zhengban.urls))]
    from django.conf.urls.i18n import urlpatterns as i18n_patterns
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("i18n:set_language")
    except NoReverseMatch:
        # base.html reverses i18n:set_language; the project URLconf does not name it yet.
        module.urlpatterns.append(path("i18n-ns/", include((i18n_patterns, "i18n"))))
    settings.ROOT_URLCONF = module
    settings.DEBUG = False  # no query log, as in production
    clear_url_caches()

    from zhengban.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="staff"))
    urls = {"org:chart /org/": "/org/", "bare view": "/bench/bare/"}
    for _ in range(args.warmup):
        for url in urls.values():
            assert client.get(url).status_code == 200, url

    timings: dict[str, list[float]] = {label: [] for label in urls}
    for _ in range(args.n):
        # Alternate so that drift (cache, GC, CPU frequency) hits both views alike.
        for label, url in urls.items():
            began = time.perf_counter()
            response = client.get(url)
            timings[label].append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200

    print(
        f"org chart bench: {args.n} requests per view after {args.warmup} warm-up, "
        f"{connection.vendor}, demo data loaded in {setup_seconds:.1f} s, "
        f"Python {sys.version.split()[0]}"
    )
    results = {}
    for label, values in timings.items():
        results[label] = (
            percentile(values, 50),
            percentile(values, 95),
            statistics.mean(values),
        )
        p50, p95, mean = results[label]
        print(f"{label:<20} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   mean {mean:7.2f} ms")
    chart, floor = results["org:chart /org/"], results["bare view"]
    print(
        f"{'ratio chart/bare':<20} p50 {chart[0] / floor[0]:7.1f}×     "
        f"p95 {chart[1] / floor[1]:7.1f}×"
    )


if __name__ == "__main__":
    main()
