"""The answer loop at scale: drafting a synthesis, saving it, the open-data exports and the public pages.

For a consultation of N public contributions (the demo seed, grown with varied French texts, comments and
supports in realistic proportions, a few assemblies with closed polls, official responses to about 1 % of the
contributions), prints:
- the draft (synthesis.drafting.draft_synthesis_markdown): cold (first call in a fresh process, scikit-learn
  import included, measured in a child process) and warm, with its length and number of citations;
- the draft service (draft + HTML + sections and citation rows), the save (save_synthesis: the citation
  check), the check and the rendering alone;
- the open-data exports (JSON and the CSV ZIP) with their sizes and tracemalloc peak;
- p50/p95 of the restitution page and its PDF, the published synthesis page, a proposal's trace page and API,
  the proposals list API (with official_response), through the WSGI app in-process (server time).

    .venv/bin/python bench/synthesis_loop.py [--sizes 1000 5000 20000] [--setups sqlite postgres]

SQLite in a temporary folder; PostgreSQL at --postgres-url (a bench database created and dropped here).
Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/deliberation_synthesis_bench"
REQUESTS = 10
PDF_REQUESTS = 5
WARM_DRAFTS = 3
SKLEARN_IMPORT = ("import time; started = time.perf_counter(); "
                  "import sklearn.cluster, sklearn.feature_extraction.text; "
                  "print((time.perf_counter() - started) * 1000)")

# Variations of the seed's contributions (deliberation/seed/data.py) so that clustering has work: a subject
# repeated in many words, plus texts that share one word only.
TITLE_PREFIXES = ["", "", "", "Proposition : ", "Idée : ", "Il faudrait ", "Pourquoi pas ", "Demande : "]
TITLE_SUFFIXES = ["", "", "", " aux Tilleuls", " au Clos-Fleuri", " près de la gare", " dans notre quartier",
                  " pour les jeunes", " pour les familles", " dès 2027", " (bis)", " le samedi"]
EXTRA_BODY = [
    "Nous sommes plusieurs voisin·es à le demander depuis des années.",
    "Le conseil citoyen pourrait suivre le projet avec la mairie.",
    "Il faut penser aux personnes âgées et aux personnes en fauteuil roulant.",
    "Les associations du quartier sont prêtes à s'en occuper.",
    "Un essai de six mois permettrait de juger avant de décider.",
    "Cela coûterait peu et changerait beaucoup la vie du quartier.",
    "Les jeunes pourraient être embauchés pour le chantier.",
    "Le bailleur social doit être associé dès le départ.",
    "La ville voisine l'a fait avec succès l'an dernier.",
    "Les horaires doivent convenir à celles et ceux qui travaillent.",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000, 5_000, 20_000])
    parser.add_argument("--setups", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", POSTGRES_URL))
    parser.add_argument("--requests", type=int, default=REQUESTS, help="requests per page scenario")
    parser.add_argument("--cold-draft", nargs=2, metavar=("DATABASE_URL", "CONSULTATION_ID"),
                        help=argparse.SUPPRESS)  # the child process that times the first draft
    return parser.parse_args()


# Databases -----------------------------------------------------------------------------------------------


def recreate_postgres(url: str, *, create: bool) -> None:
    import psycopg

    base, _, name = url.replace("postgresql+psycopg://", "postgresql://").rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')


def make_app(url: str):
    from deliberation import create_app

    return create_app({"ENV": "testing", "DATABASE_URL": url, "RATELIMIT_ENABLED": False,
                       "WTF_CSRF_ENABLED": False})


# Seeding -------------------------------------------------------------------------------------------------


def _texts(rng: random.Random):
    from proposals_pages import PLACES, SENTENCES, SUBJECTS, VERBS

    from deliberation.seed import data

    if rng.random() < 0.6:  # a variation of a seed contribution: the same subject in other words
        kind, _area, _priority, title, body = rng.choice(data.CONTRIBUTIONS)
        title = (rng.choice(TITLE_PREFIXES) + title[0].lower() + title[1:] if rng.random() < 0.4 else title)
        title = (title + rng.choice(TITLE_SUFFIXES))[:140]
        body = " ".join([body, *rng.sample(EXTRA_BODY, rng.randint(0, 2))])
        return kind, title, body
    kind = rng.choice(["proposal"] * 6 + ["observation", "question", "testimony"])
    title = f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)} {rng.choice(PLACES)}"[:140]
    return kind, title, " ".join(rng.sample(SENTENCES, rng.randint(2, 4)))


def _comment_text(rng: random.Random, stance: str) -> str:
    from deliberation.seed import data

    text = rng.choice(data.COMMENTS[stance])
    if rng.random() < 0.5:
        text += " " + rng.choice(EXTRA_BODY)
    return text


def grow(consultation_id: int, total: int, rng: random.Random) -> dict[str, int]:
    """Add contributions (with comments and supports) until the consultation has `total`; Core inserts."""
    from sqlalchemy import func, insert, select

    from deliberation.accounts.models import User
    from deliberation.consultations.models import Consultation
    from deliberation.core import clock
    from deliberation.core.text import render_markdown
    from deliberation.extensions import db
    from deliberation.proposals.models import Comment, Proposal, Support

    consultation = db.session.get(Consultation, consultation_id)
    area_ids = [a.id for a in consultation.areas]
    priority_ids = [p.id for p in consultation.priorities]
    missing = total - db.session.scalar(select(func.count(Proposal.id)).where(
        Proposal.consultation_id == consultation_id))
    now = clock.now()
    first_user = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    new_users = max(500, total // 4)
    db.session.execute(insert(User), [
        {"id": first_user + i, "email": f"bench{first_user + i}@example.org",
         "display_name": f"Habitant·e {first_user + i}", "created_at": now - timedelta(days=60)}
        for i in range(new_users)])
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.setval("users_id_seq", select(func.max(User.id)).scalar_subquery())))
    users = list(range(first_user, first_user + new_users))
    first = (db.session.scalar(select(func.max(Proposal.id))) or 0) + 1
    proposals, supports, comments = [], [], []
    counts = {"comments": 0, "supports": 0}
    for offset in range(missing):
        pid = first + offset
        kind, title, body = _texts(rng)
        created = now - timedelta(minutes=rng.randint(60, 60 * 24 * 29))
        supporters = set(rng.sample(users, min(int(rng.paretovariate(1.2)) - 1, 250)))
        status = "published" if rng.random() > 0.03 else rng.choice(["withdrawn", "hidden"])
        n_comments = 0
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 3, 5])):
            stance = rng.choice(["for", "for", "against", "neutral"])
            text = _comment_text(rng, stance)
            comments.append({"proposal_id": pid, "author_id": rng.choice(users), "depth": 0, "stance": stance,
                             "body": text, "body_html": render_markdown(text), "status": "published",
                             "created_at": created + timedelta(hours=rng.randint(1, 48))})
            n_comments += 1
        proposals.append({
            "id": pid, "consultation_id": consultation_id, "author_id": rng.choice(users), "kind": kind,
            "title": title, "body": body, "body_html": render_markdown(body),
            "area_id": rng.choice(area_ids) if rng.random() > 0.05 else None,
            "priority_id": rng.choice(priority_ids), "status": status, "supports_count": len(supporters),
            "comments_count": n_comments, "created_at": created, "updated_at": created, "published_at": created,
            "shuffle_key": rng.randint(0, 2**31 - 1)})
        supports.extend({"proposal_id": pid, "user_id": user, "created_at": created + timedelta(hours=2)}
                        for user in supporters)
    for table, rows in ((Proposal, proposals), (Support, supports), (Comment, comments)):
        for start in range(0, len(rows), 5_000):
            db.session.execute(insert(table), rows[start:start + 5_000])
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.setval("proposals_id_seq", select(func.max(Proposal.id)).scalar_subquery())))
    counts.update(comments=len(comments), supports=len(supports))
    return counts


def add_assemblies(consultation, facilitator, rng: random.Random, count: int = 3) -> int:
    """`count` more assemblies, each with closed polls (yes/no, single choice, ranking) and ~40 ballots."""
    import uuid

    from sqlalchemy import select

    from deliberation.assemblies import services
    from deliberation.core import clock
    from deliberation.extensions import db
    from deliberation.proposals.models import Proposal

    top = list(db.session.scalars(select(Proposal).where(Proposal.consultation_id == consultation.id,
                                                         Proposal.status == "published")
                                  .order_by(Proposal.supports_count.desc(), Proposal.id).limit(4 * count)))
    polls = 0
    for number in range(count):
        assembly = services.create_assembly(facilitator, title=f"Assemblée de quartier n° {number + 2}",
                                            consultation=consultation,
                                            starts_at=clock.now() - timedelta(days=number + 1))
        chosen = top[4 * number:4 * number + 4]
        item = services.add_agenda_item(assembly, facilitator, title="Les propositions les plus soutenues",
                                        proposals=chosen)
        plans = [("Faut-il retenir « " + chosen[0].title[:80] + " » ?", "yes_no", None),
                 ("Quelle proposition porter en premier ?", "single", [p.title[:100] for p in chosen]),
                 ("Classez les propositions", "ranking", [p.title[:100] for p in chosen])]
        for question, method, options in plans:
            poll = services.create_poll(assembly, facilitator, question=question, method=method, options=options,
                                        results_visibility="live", agenda_item=item)
            services.open_poll(poll, facilitator)
            ids = list(poll.option_ids)
            for _ in range(40):
                participant, _token = services.join_assembly(assembly.join_code)
                if method == "yes_no":
                    choice = rng.choice(["yes", "yes", "no", "abstain"])
                elif method == "single":
                    choice = rng.choice(ids)
                else:
                    choice = rng.sample(ids, len(ids))
                services.cast_vote(poll, participant, ballot_id=str(uuid.UUID(int=rng.getrandbits(128))),
                                   choice=choice)
            services.close_poll(poll, facilitator)
            polls += 1
    return polls


def add_responses(consultation, official, rng: random.Random) -> tuple[int, str]:
    """Official responses to ~1 % of the contributions, the most supported: the first ten through the service
    (timed: it notifies every supporter), the others written directly (what the service would store)."""
    from sqlalchemy import func, insert, select, update

    from deliberation.core import clock
    from deliberation.core.text import render_markdown
    from deliberation.extensions import db
    from deliberation.proposals.models import Proposal
    from deliberation.synthesis import responses
    from deliberation.synthesis.models import OfficialResponse, ResponseType

    count = db.session.scalar(select(func.count(Proposal.id)).where(
        Proposal.consultation_id == consultation.id)) // 100
    answered = select(OfficialResponse.proposal_id).where(OfficialResponse.proposal_id.is_not(None))
    chosen = list(db.session.scalars(
        select(Proposal).where(Proposal.consultation_id == consultation.id, Proposal.status == "published",
                               Proposal.id.not_in(answered))
        .order_by(Proposal.supports_count.desc(), Proposal.id).limit(count)))
    justification = "Réponse des élu·es : la proposition a été étudiée en conseil."
    kinds = [ResponseType.ACCEPTED, ResponseType.UNDER_STUDY, ResponseType.NOT_ACCEPTED]
    durations, followers = [], []
    for proposal in chosen[:10]:
        followers.append(proposal.supports_count + 1)
        _response, ms = timed(responses.answer_proposal, proposal, official, type=rng.choice(kinds),
                              justification=justification)
        durations.append(ms)
    now = clock.now()
    rest = chosen[10:]
    if rest:
        db.session.execute(insert(OfficialResponse), [
            {"proposal_id": proposal.id, "type": rng.choice(kinds), "justification": justification,
             "justification_html": render_markdown(justification), "author_id": official.id, "publish_at": now,
             "announced_at": now, "created_at": now, "updated_at": now} for proposal in rest])
        db.session.execute(update(Proposal).where(Proposal.id.in_([p.id for p in rest]))
                           .values(status="answered").execution_options(synchronize_session=False))
    detail = ""
    if durations:
        detail = (f"{statistics.mean(durations):.0f} ms per response through the service (to proposals with "
                  f"{min(followers)}–{max(followers)} followers, each notified)")
    return len(chosen), detail


def seed(app, size: int, rng: random.Random) -> dict:
    from sqlalchemy import select

    from deliberation.accounts.models import User
    from deliberation.consultations.models import Consultation
    from deliberation.core.transaction import unit_of_work
    from deliberation.extensions import db
    from deliberation.seed import data, seed_demo

    phases = {}
    started = time.perf_counter()
    with app.app_context():
        with unit_of_work():
            seed_demo()
        phases["demo"] = time.perf_counter() - started
        consultation = db.session.scalar(select(Consultation).where(Consultation.title == data.CONSULTATION["title"]))
        people = {email: db.session.scalar(select(User).where(User.email == email))
                  for email, _name, _roles in data.ROLE_ACCOUNTS}
        with unit_of_work():
            counts = grow(consultation.id, size, rng)
        phases["contributions"] = time.perf_counter() - started - sum(phases.values())
        with unit_of_work():
            counts["polls"] = add_assemblies(consultation, people["animatrice@demo.deliberation.fr"], rng)
        phases["assemblies"] = time.perf_counter() - started - sum(phases.values())
        with unit_of_work():
            counts["responses"], counts["answering"] = add_responses(consultation,
                                                                     people["elue@demo.deliberation.fr"], rng)
        phases["responses"] = time.perf_counter() - started - sum(phases.values())
        counts["phases"] = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in phases.items())
        counts["consultation_id"] = consultation.id
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.close()
            raw = db.engine.raw_connection()
            try:
                raw.driver_connection.autocommit = True
                raw.driver_connection.execute("VACUUM ANALYZE")
            finally:
                raw.driver_connection.autocommit = False  # back to the pool as SQLAlchemy expects it
                raw.close()
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        return counts


# Measuring -----------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, (time.perf_counter() - started) * 1000


def citations_of(body: str) -> int:
    from deliberation.synthesis.citations import find_citations

    return len(find_citations(body))


def cold_draft(url: str, consultation_id: int) -> None:
    """Child process: the first draft of a fresh process (what the first moderator pays after a restart)."""
    started = time.perf_counter()
    app = make_app(url)
    app_ms = (time.perf_counter() - started) * 1000
    from deliberation.consultations.models import Consultation
    from deliberation.extensions import db
    from deliberation.synthesis.drafting import draft_synthesis_markdown

    with app.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        sklearn_before = "sklearn" in sys.modules
        body, draft_ms = timed(draft_synthesis_markdown, consultation)
        _body, second_ms = timed(draft_synthesis_markdown, consultation)
    print(json.dumps({"app_ms": app_ms, "draft_ms": draft_ms, "second_ms": second_ms, "length": len(body),
                      "sklearn_loaded_before": sklearn_before}))


def request_times(client, urls: list[str], count: int) -> tuple[float, float, int, int]:
    client.get(urls[0])  # warm-up
    durations, failures, size = [], 0, 0
    for index in range(count):
        started = time.perf_counter()
        response = client.get(urls[index % len(urls)])
        durations.append((time.perf_counter() - started) * 1000)
        size = len(response.data)
        if response.status_code != 200:
            failures += 1
    return statistics.median(durations), percentile(durations, 0.95), failures, size


def measure(app, url: str, consultation_id: int, requests: int) -> list[tuple[str, str, str]]:
    """(step, time, detail) rows."""
    from flask_babel import gettext
    from sqlalchemy import select

    from deliberation.accounts.models import User
    from deliberation.consultations.models import Consultation
    from deliberation.core.transaction import unit_of_work
    from deliberation.exports.open_data import export_csv_zip, export_json
    from deliberation.extensions import db
    from deliberation.proposals.models import Proposal
    from deliberation.synthesis import citations, responses, syntheses
    from deliberation.synthesis.drafting import draft_synthesis_markdown
    from deliberation.synthesis.drafting.document import escape_markdown
    from deliberation.synthesis.models import OfficialResponse, ResponseType, SynthesisStatus

    rows = []
    child = subprocess.run([sys.executable, __file__, "--cold-draft", url, str(consultation_id)],
                           capture_output=True, text=True, check=True)
    cold = json.loads(child.stdout.strip().splitlines()[-1])
    importing = subprocess.run([sys.executable, "-c", SKLEARN_IMPORT], capture_output=True, text=True, check=True)
    rows.append(("draft, cold (fresh process)", f"{cold['draft_ms']:.0f}",
                 f"{cold['length']:,} chars; its second call {cold['second_ms']:.0f} ms; importing scikit-learn "
                 f"alone {float(importing.stdout):.0f} ms; create_app {cold['app_ms']:.0f} ms"
                 + ("; sklearn already imported" if cold["sklearn_loaded_before"] else "")))

    with app.test_request_context():  # the exports build absolute URLs
        consultation = db.session.get(Consultation, consultation_id)
        moderator = db.session.scalar(select(User).where(User.email == "moderateur@demo.deliberation.fr"))
        official = db.session.scalar(select(User).where(User.email == "elue@demo.deliberation.fr"))
        warm = []
        for _ in range(WARM_DRAFTS):
            body, ms = timed(draft_synthesis_markdown, consultation)
            warm.append(ms)
        cut_note = escape_markdown(gettext("The draft was cut here: it was longer than a synthesis may be."))
        headings = sum(1 for line in body.splitlines() if line.startswith("## "))
        rows.append(("draft, warm (median of 3)", f"{statistics.median(warm):.0f}",
                     f"{len(body):,} chars, {citations_of(body):,} citations, {headings} level-2 sections"
                     + (", CUT at the maximum length" if cut_note in body else "")))

        with unit_of_work():
            synthesis, ms = timed(syntheses.draft_synthesis, consultation, moderator)
        rows.append(("draft_synthesis service", f"{ms:.0f}", f"draft + HTML + {len(synthesis.sections)} sections "
                                                              "+ citation rows, committed"))
        edited = synthesis.body + "\n\nTexte relu par la modération.\n"
        problems, ms = timed(syntheses.citation_problems, consultation, edited)
        rows.append(("citation check alone", f"{ms:.0f}", f"{len(problems)} problems"))
        _html, ms = timed(citations.render_synthesis, edited)
        rows.append(("render_synthesis (Markdown → HTML)", f"{ms:.0f}", f"{len(_html):,} bytes of HTML"))
        started = time.perf_counter()
        with unit_of_work():
            synthesis = syntheses.save_synthesis(synthesis, moderator, body=edited,
                                                 based_on_version=synthesis.version)
        rows.append(("save_synthesis (committed)", f"{(time.perf_counter() - started) * 1000:.0f}",
                     f"version {synthesis.version}"))

        started = time.perf_counter()
        with unit_of_work():
            for status in (SynthesisStatus.IN_REVIEW, SynthesisStatus.VALIDATED, SynthesisStatus.SENT_TO_OFFICIALS):
                syntheses.transition_synthesis(synthesis, moderator, status)
        rows.append(("review → validated → sent", f"{(time.perf_counter() - started) * 1000:.0f}",
                     "validating re-checks the citations"))
        with unit_of_work():
            for section in synthesis.sections:
                responses.answer_section(section, official, type=ResponseType.UNDER_STUDY,
                                         justification="Les élu·es étudient cette partie.")
            syntheses.transition_synthesis(synthesis, official, SynthesisStatus.ANSWERED)
            syntheses.transition_synthesis(synthesis, moderator, SynthesisStatus.PUBLISHED)
        synthesis_id = synthesis.id

        db.session.expire_all()
        exported, ms = timed(export_json, consultation)
        size = len(json.dumps(exported, ensure_ascii=False).encode("utf-8"))
        del exported
        db.session.expire_all()
        _exported, again = timed(export_json, consultation)
        del _exported
        tracemalloc.start()
        export_json(consultation)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append(("open data: export_json", f"{ms:.0f}", f"again {again:.0f} ms; {size:,} bytes of JSON; "
                                                           f"tracemalloc peak {peak / 2**20:.0f} MiB"))
        db.session.expire_all()
        archive, ms = timed(export_csv_zip, consultation)
        db.session.expire_all()
        _archive, again = timed(export_csv_zip, consultation)
        tracemalloc.start()
        export_csv_zip(consultation)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append(("open data: export_csv_zip", f"{ms:.0f}", f"again {again:.0f} ms; {len(archive):,} bytes "
                                                              f"(ZIP); tracemalloc peak {peak / 2**20:.0f} MiB"))
        del archive, _archive

        answered = db.session.scalars(select(Proposal.id).where(Proposal.consultation_id == consultation_id,
                                                                Proposal.id.in_(select(OfficialResponse.proposal_id)))
                                      .order_by(Proposal.supports_count.desc()).limit(5)).all()
        db.session.close()

    client = app.test_client()
    pages = {
        "page: restitution": [f"/consultations/{consultation_id}/restitution"],
        "page: restitution.pdf": [f"/consultations/{consultation_id}/restitution.pdf"],
        "page: published synthesis": [f"/syntheses/{synthesis_id}"],
        "page: proposal trace": [f"/proposals/{pid}/trace" for pid in answered],
        "API: proposal trace": [f"/api/v1/proposals/{pid}/trace" for pid in answered],
        "API: proposals, most supported": [f"/api/v1/consultations/{consultation_id}/proposals?sort=supports"],
        "API: proposals, 100 per page": [f"/api/v1/consultations/{consultation_id}/proposals?sort=supports"
                                         "&per_page=100"],
        "API: export json": [f"/api/v1/consultations/{consultation_id}/export?format=json"],
    }
    for name, urls in pages.items():
        count = PDF_REQUESTS if name.endswith(("pdf", "json")) else requests
        p50, p95, failures, size = request_times(client, urls, count)
        detail = f"p95 {p95:.0f} ms, {count} requests, {size:,} bytes" + (f", {failures} errors" if failures else "")
        rows.append((name + " (p50)", f"{p50:.0f}", detail))
    return rows


def main() -> None:
    args = parse_args()
    if args.cold_draft:
        cold_draft(args.cold_draft[0], int(args.cold_draft[1]))
        return
    import logging

    from flask_migrate import upgrade

    logging.getLogger("alembic").setLevel(logging.WARNING)

    print("Synthesis loop: times in ms (pages: server time through the WSGI app in-process)")
    for setup in args.setups:
        for size in sorted(args.sizes):
            with tempfile.TemporaryDirectory() as workdir:
                if setup == "postgres":
                    url = args.postgres_url
                    recreate_postgres(url, create=True)
                else:
                    url = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
                os.environ["DELIBERATION_DATABASE_URL"] = url
                try:
                    app = make_app(url)
                    with app.app_context():
                        upgrade()
                    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                    started = time.perf_counter()
                    counts = seed(app, size, random.Random(size))
                    seeded = time.perf_counter() - started
                    print(f"\n## {setup}, {size:,} contributions (+{counts['comments']:,} comments, "
                          f"{counts['supports']:,} supports, {counts['polls']} more closed polls, "
                          f"{counts['responses']} responses; seeded in {seeded:.0f} s: {counts['phases']}; "
                          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
                    print(f"| {'step':<40} | {'ms':>7} | detail")
                    print(f"|{'-' * 42}|{'-' * 9}|{'-' * 40}")
                    for step, ms, detail in measure(app, url, counts["consultation_id"], args.requests):
                        print(f"| {step:<40} | {ms:>7} | {detail}", flush=True)
                    if counts["answering"]:
                        print(f"Seeding: answer_proposal took {counts['answering']}.")
                    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                    print(f"Max RSS of this process: {rss_after / 1024:.0f} MiB "
                          f"(+{(rss_after - rss_before) / 1024:.0f} MiB during this size)")
                finally:
                    from deliberation.extensions import db

                    with app.app_context():
                        db.engine.dispose()
                    if setup == "postgres":
                        recreate_postgres(url, create=False)


if __name__ == "__main__":
    main()
