"""Server time of the proposal pages with 10,000 and 100,000 proposals (PostgreSQL).

Seeds a consultation with N proposals (with comments and supports, written with COPY), then times requests
through the WSGI app in-process (server time, no network): the list with each sort, the filters, the search,
the proposal page, and the same list through the API. Prints p50/p95 per scenario.

    .venv/bin/python bench/proposals_pages.py [--database-url postgresql://…] [--sizes 10000 100000]

Target (issue #2): p95 ≤ 80 ms at 100,000 proposals.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/deliberation_bench"
REQUESTS_PER_SCENARIO = 60
WARMUP = 5

# A vocabulary wide enough that a common word ("école") is in about one proposal in ten, as in a real
# consultation, rather than in half of them.
SUBJECTS = ["école", "jardin", "crèche", "bus", "piste cyclable", "médiathèque", "gymnase", "parc", "marché",
            "centre social", "éclairage", "logement", "ascenseur", "collège", "maison de santé", "mission locale",
            "fête de quartier", "banc", "arbre", "stade", "local associatif", "propreté", "tranquillité",
            "aire de jeux", "ludothèque", "piscine", "boîte à livres", "composteur", "parking", "trottoir",
            "passage piéton", "navette", "permanence", "atelier", "chantier d'insertion", "cinéma en plein air",
            "festival", "terrain de foot", "salle de sport", "potager", "fontaine", "toilettes publiques",
            "point d'accès au droit", "cours de français", "aide aux devoirs", "club de seniors", "repas partagé",
            "marché de créateurs"]
VERBS = ["Créer", "Rénover", "Ouvrir", "Agrandir", "Sécuriser", "Végétaliser", "Animer", "Réparer", "Déplacer",
         "Financer", "Entretenir", "Éclairer"]
PLACES = ["aux Tilleuls", "au Clos-Fleuri", "près de la gare", "dans le quartier", "le long du canal",
          "place du marché", "rue des Lilas", "avenue Jean-Jaurès", "derrière la mairie", "au pied des tours",
          "près du collège", "au bord de la Loire"]
SENTENCES = [
    "Les habitant·es en parlent depuis longtemps.", "Les enfants en profiteraient tous les jours.",
    "Cela coûterait peu et changerait beaucoup.", "Les personnes âgées le demandent.",
    "Le conseil citoyen soutient cette idée.", "Il faudrait associer le bailleur social.",
    "Les jardins familiaux de la ville voisine pourraient servir d'exemple.",
    "L'école voisine est prête à participer.", "Les associations peuvent s'en occuper le week-end.",
    "Il faut prévoir un budget d'entretien.", "Les jeunes pourraient participer au chantier.",
    "La question revient à chaque réunion publique.", "Les commerçants y sont favorables.",
    "Les familles monoparentales en ont particulièrement besoin.", "Le projet peut commencer dès le printemps.",
    "Il existe des aides de l'État pour cela.", "Les horaires doivent convenir à ceux qui travaillent.",
    "Un essai de six mois permettrait de juger.", "La sécurité des piétons doit passer en premier.",
    "Il faut penser aux personnes en fauteuil roulant.", "Le centre social peut accueillir les réunions.",
    "Les voisin·es sont prêts à donner un coup de main.", "Cela éviterait de prendre la voiture.",
    "Le quartier manque de lieux pour se retrouver.", "Les travaux pourraient employer des habitant·es.",
    "Il faut en parler avec la maison de quartier.", "On pourrait commencer par un seul bâtiment.",
    "Les délais annoncés n'ont pas été tenus.", "Cela rendrait le quartier plus agréable.",
    "Les familles nombreuses seraient les premières concernées.", "Une réunion d'information serait utile.",
    "Les étudiant·es pourraient aider bénévolement.", "Le bruit reste un problème le soir.",
    "Les bailleurs doivent être consultés.", "La ville voisine l'a fait avec succès.",
    "Il faudrait un comité de suivi avec des habitant·es.", "La demande est ancienne.",
    "Tout le monde y gagnerait.", "Le coût pourrait être partagé avec l'agglomération.",
    "Les habitant·es veulent être associés aux décisions.",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--requests", type=int, default=REQUESTS_PER_SCENARIO)
    return parser.parse_args()


def recreate_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(app, total: int, rng: random.Random) -> int:
    """Grow the bench consultation to `total` proposals; returns its id."""
    from datetime import date, timedelta

    from sqlalchemy import func, select

    from deliberation.consultations.models import Consultation, Phase, PhaseKind
    from deliberation.core import clock
    from deliberation.core.text import render_markdown
    from deliberation.extensions import db
    from deliberation.proposals.models import Proposal
    from deliberation.territories.models import CityContract, Organisation, OrganisationKind, Priority, PriorityArea

    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.title == "Bench"))
        if consultation is None:
            organisation = Organisation(name="Bench", code="200000999", kind=OrganisationKind.EPCI)
            contract = CityContract(organisation=organisation, title="Bench", starts_on=date(2024, 1, 1),
                                    ends_on=date(2030, 12, 31))
            areas = [PriorityArea(contract=contract, code=f"QN0000{i:02d}", name=f"Quartier {i}") for i in range(8)]
            priorities = [Priority(contract=contract, title=f"Enjeu {i}", position=i) for i in range(6)]
            consultation = Consultation(title="Bench", description="", contract=contract, areas=areas,
                                        priorities=priorities, is_published=True)
            start = clock.now() - timedelta(days=10)
            consultation.phases.append(Phase(kind=PhaseKind.SUBMISSION, starts_at=start,
                                             ends_at=start + timedelta(days=365)))
            db.session.add(consultation)
            db.session.commit()
        consultation_id = consultation.id
        area_ids = [a.id for a in consultation.areas]
        priority_ids = [p.id for p in consultation.priorities]
        existing = db.session.scalar(select(func.count(Proposal.id)).where(Proposal.consultation_id == consultation_id))
        missing = total - existing
        # End the session's transaction: while a snapshot is open, VACUUM cannot mark pages all-visible.
        db.session.close()
        if missing <= 0:
            return consultation_id

        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT coalesce(max(id), 0) FROM users")
            first_user = cursor.fetchone()[0] + 1
            user_count = max(2_000, total // 20)
            new_users = max(0, user_count - (first_user - 1))
            now = clock.now()
            copy_rows(cursor, "users", ["id", "email", "display_name", "created_at"], (
                (first_user + i, f"bench{first_user + i}@example.org", f"Habitant·e {first_user + i}", now)
                for i in range(new_users)))
            cursor.execute("SELECT setval('users_id_seq', (SELECT max(id) FROM users))")
            cursor.execute("SELECT min(id), max(id) FROM users")
            low_user, high_user = cursor.fetchone()

            cursor.execute("SELECT coalesce(max(id), 0) FROM proposals")
            first = cursor.fetchone()[0] + 1
            proposals, supports, comments = [], [], []
            kinds = ["proposal"] * 6 + ["observation", "question", "testimony"]
            for offset in range(missing):
                pid = first + offset
                title = f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)} {rng.choice(PLACES)}"[:140]
                body = " ".join(rng.sample(SENTENCES, 3)) + f" ({rng.choice(SUBJECTS)})"
                created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 300))
                n_supports = min(int(rng.paretovariate(1.3)) - 1, 300)
                supporters = {rng.randint(low_user, high_user) for _ in range(n_supports)}
                n_comments = rng.choice([0, 0, 1, 2, 3, 5])
                status = "published" if rng.random() > 0.03 else rng.choice(["withdrawn", "hidden"])
                proposals.append((pid, consultation_id, rng.randint(low_user, high_user), rng.choice(kinds), title,
                                  body, render_markdown(body), rng.choice(area_ids), rng.choice(priority_ids),
                                  status, len(supporters), n_comments, created, created, created,
                                  rng.randint(0, 2**31 - 1)))
                supports.extend((pid, user, created) for user in supporters)
                comments.extend((pid, rng.randint(low_user, high_user), 0, rng.choice(["for", "against", "neutral"]),
                                 "Je suis d'accord.", "<p>Je suis d'accord.</p>", "published", created)
                                for _ in range(n_comments))
            copy_rows(cursor, "proposals", [
                "id", "consultation_id", "author_id", "kind", "title", "body", "body_html", "area_id",
                "priority_id", "status", "supports_count", "comments_count", "created_at", "updated_at",
                "published_at", "shuffle_key"], proposals)
            cursor.execute("SELECT setval('proposals_id_seq', (SELECT max(id) FROM proposals))")
            copy_rows(cursor, "proposal_supports", ["proposal_id", "user_id", "created_at"], supports)
            copy_rows(cursor, "proposal_comments", ["proposal_id", "author_id", "depth", "stance", "body",
                                                    "body_html", "status", "created_at"], comments)
            raw.commit()
            # What autovacuum does on a live database: statistics, and the visibility map that lets
            # counts read the indexes only.
            raw.driver_connection.autocommit = True
            raw.driver_connection.execute("VACUUM ANALYZE users, proposals, proposal_supports, proposal_comments")
            raw.driver_connection.autocommit = False
        finally:
            raw.close()
        return consultation_id


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def time_scenario(client, urls: list[str], count: int) -> tuple[float, float, int]:
    for url in urls[:WARMUP]:
        client.get(url)
    durations, failures = [], 0
    for index in range(count):
        url = urls[index % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            failures += 1
    return statistics.median(durations), percentile(durations, 0.95), failures


def scenarios(app, consultation_id: int, rng: random.Random) -> dict[str, list[str]]:
    from sqlalchemy import select

    from deliberation.consultations.models import Consultation
    from deliberation.extensions import db
    from deliberation.proposals.models import Proposal

    with app.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        area_ids = [a.id for a in consultation.areas]
        priority_ids = [p.id for p in consultation.priorities]
        proposal_ids = list(db.session.scalars(
            select(Proposal.id).where(Proposal.consultation_id == consultation_id,
                                      Proposal.status == "published").order_by(Proposal.supports_count.desc())
            .limit(2000)))
    base = f"/consultations/{consultation_id}/proposals"
    api = f"/api/v1/consultations/{consultation_id}/proposals"
    pages = [1, 2, 3, 10, 50]
    return {
        "list, recent": [f"{base}?sort=recent&page={p}" for p in pages],
        "list, most supported": [f"{base}?sort=supports&page={p}" for p in pages],
        "list, random": [f"{base}?sort=random&page={p}" for p in pages],
        "filter area": [f"{base}?area_id={a}" for a in area_ids],
        "filter area+priority+kind": [f"{base}?area_id={a}&priority_id={p}&kind=question"
                                      for a, p in zip(area_ids, priority_ids * 2, strict=False)],
        "search common word": [f"{base}?q=ecole", f"{base}?q=%C3%A9coles&sort=supports"],
        "search two words": [f"{base}?q=jardins", f"{base}?q=jardin%20canal"],
        "search rare words": [f"{base}?q=ascenseur%20Lilas"],
        "proposal page": [f"/proposals/{pid}" for pid in rng.sample(proposal_ids, 20)],
        "API list, recent": [f"{api}?sort=recent&page={p}" for p in pages],
        "API search": [f"{api}?q=ecole"],
    }


def main() -> None:
    args = parse_args()
    os.environ["DELIBERATION_DATABASE_URL"] = args.database_url
    recreate_database(args.database_url.replace("postgresql+psycopg://", "postgresql://"))

    from flask_migrate import upgrade

    from deliberation import create_app

    app = create_app({"ENV": "testing", "DATABASE_URL": args.database_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
    rng = random.Random(100_000)
    client = app.test_client()

    print(f"Server time in ms (in-process WSGI, {args.requests} requests per scenario after {WARMUP} warm-ups)")
    for size in sorted(args.sizes):
        started = time.perf_counter()
        consultation_id = seed(app, size, rng)
        print(f"\n## {size:,} proposals (seeded in {time.perf_counter() - started:.0f} s)")
        print(f"| {'scenario':<28} | {'p50':>7} | {'p95':>7} | errors |")
        print(f"|{'-' * 30}|{'-' * 9}|{'-' * 9}|--------|")
        for name, urls in scenarios(app, consultation_id, rng).items():
            p50, p95, failures = time_scenario(client, urls, args.requests)
            print(f"| {name:<28} | {p50:7.1f} | {p95:7.1f} | {failures:6d} |")
        api = f"/api/v1/consultations/{consultation_id}/proposals?per_page=1&q="
        matches = {query: client.get(api + query).json["total"] for query in ("ecole", "jardins", "ascenseur Lilas")}
        print("Search matches: " + ", ".join(f"{query!r}: {count:,}" for query, count in matches.items()))


if __name__ == "__main__":
    main()
