"""The demo's French content: a fictional agglomeration, its contract, and residents' contributions."""

DEMO_PASSWORD = "Quartiers-2030-demo"  # noqa: S105 - published in the README on purpose; refused in production

EPCI = {"name": "Communauté d'agglomération des Deux-Rives", "code": "200099001"}
COMMUNES = [
    {"key": "saint-aubin", "name": "Saint-Aubin-sur-Loire", "code": "37901"},
    {"key": "montlouis", "name": "Montlouis-les-Vignes", "code": "37902"},
]
AREAS = [
    {"key": "tilleuls", "code": "QN03790T", "name": "Les Tilleuls", "communes": ["saint-aubin"],
     "description": "Grand ensemble des années 1970, 3 200 habitant·es, en renouvellement urbain."},
    {"key": "clos-fleuri", "code": "QN03790C", "name": "Le Clos-Fleuri", "communes": ["saint-aubin"],
     "description": "Quartier de petits collectifs autour de la place du marché."},
    {"key": "gare", "code": "QN03790G", "name": "Quartier de la Gare", "communes": ["montlouis"],
     "description": "Quartier ancien dégradé entre la gare et le canal."},
    {"key": "hors-qpv", "code": None, "name": "Hors quartiers prioritaires", "communes": ["saint-aubin", "montlouis"],
     "description": "Le reste du territoire de l'agglomération."},
]
PRIORITIES = [
    {"key": "education", "title": "Réussite éducative et jeunesse", "themes": ["youth"],
     "description": "Accompagner chaque enfant et chaque jeune, de la crèche à l'emploi."},
    {"key": "emploi", "title": "Emploi, insertion et développement économique",
     "themes": ["gender_equality", "anti_discrimination"],
     "description": "Rapprocher les habitant·es de l'emploi et soutenir l'activité dans les quartiers."},
    {"key": "cadre-de-vie", "title": "Cadre de vie et transition écologique", "themes": ["ecological_transition"],
     "description": "Logement, espaces publics, mobilités, nature en ville."},
    {"key": "sante", "title": "Santé et accès aux droits", "themes": ["anti_discrimination"],
     "description": "Lutter contre le non-recours et rapprocher les services publics."},
    {"key": "lien-social", "title": "Tranquillité publique et lien social", "themes": ["gender_equality", "youth"],
     "description": "Vivre ensemble, associations, culture et sport."},
]
CONTRACT = {
    "title": "Contrat de ville « Engagements Quartiers 2030 » des Deux-Rives",
    "signatories": "Préfecture d'Indre-et-Loire, Communauté d'agglomération des Deux-Rives, communes de "
                   "Saint-Aubin-sur-Loire et de Montlouis-les-Vignes, Département, Région, CAF, bailleurs sociaux",
    "description": "Signé en 2024 pour 2024-2030 : cinq enjeux et un projet par quartier prioritaire.",
}
CONSULTATION = {
    "title": "Budget des quartiers 2027 : vos idées pour les Tilleuls, le Clos-Fleuri et la Gare",
    "description": (
        "L'agglomération consacre **400 000 €** en 2027 à des projets proposés par les habitant·es des "
        "quartiers prioritaires.\n\n"
        "1. Jusqu'à la fin de l'étape de dépôt, déposez vos propositions, constats, questions et témoignages.\n"
        "2. Soutenez et commentez celles des autres.\n"
        "3. Les propositions seront débattues en assemblée de quartier, puis les élu·es répondront à chacune, "
        "publiquement."
    ),
}
# (kind, days from now to the start, length in days)
PHASES = [
    ("information", -40, 10),
    ("submission", -30, 45),
    ("deliberation", 15, 21),
    ("review", 36, 20),
    ("decision", 56, 14),
    ("follow_up", 70, 300),
]

ROLE_ACCOUNTS = [
    ("habitante@demo.deliberation.fr", "Aïcha B.", ["resident"]),
    ("mediateur@demo.deliberation.fr", "Karim, médiateur au centre social", ["mediator"]),
    ("animatrice@demo.deliberation.fr", "Julie, animatrice", ["facilitator"]),
    ("moderateur@demo.deliberation.fr", "Marc, modérateur", ["moderator"]),
    ("elue@demo.deliberation.fr", "Nadia Benali, adjointe à la politique de la ville", ["official"]),
    ("admin@demo.deliberation.fr", "Service politique de la ville", ["admin"]),
]

# Contributions (by index in CONTRIBUTIONS) that the mediator submitted with and for a resident, by the name
# the resident chose to appear under.
MEDIATED = {3: "Mme Traoré, habitante du Clos-Fleuri", 12: "Joseph, retraité"}

RESIDENT_NAMES = [
    "Mamadou D.", "Sylvie M.", "Kévin L.", "Fatoumata S.", "Jean-Pierre R.", "Leïla H.", "Thomas G.",
    "Samira K.", "Yasmine T.", "Bernard P.", "Inès A.", "Moussa C.", "Chantal V.", "Rayan O.", "Émilie F.",
    "Ousmane N.", "Hélène J.", "Nordine Z.", "Claire B.", "Abdel M.", "Sophie E.", "Lucas W.",
]

# (kind, area key, priority key, title, body)
CONTRIBUTIONS = [
    ("proposal", "tilleuls", "education", "Une aide aux devoirs tous les soirs à la médiathèque",
     "Beaucoup de parents ne peuvent pas aider leurs enfants le soir. Des bénévoles et des étudiant·es "
     "pourraient tenir une **aide aux devoirs** de 17 h à 19 h, du lundi au jeudi."),
    ("proposal", "tilleuls", "cadre-de-vie", "Des jardins partagés au pied des tours",
     "La pelouse entre les bâtiments B et C ne sert à rien. On pourrait y faire des jardins partagés, avec "
     "des bacs surélevés pour les personnes âgées."),
    ("proposal", "gare", "cadre-de-vie", "Éclairer le passage sous la voie ferrée",
     "Le soir, le passage souterrain est très sombre. Beaucoup de femmes font un détour de dix minutes pour "
     "l'éviter."),
    ("proposal", "clos-fleuri", "lien-social", "Un repas de quartier chaque mois sur la place du marché",
     "Un repas partagé, où chacun apporte un plat, pour que les voisin·es se rencontrent enfin."),
    ("proposal", "tilleuls", "emploi", "Un atelier CV et entretien d'embauche au centre social",
     "Le jeudi matin, avec des bénévoles d'entreprises du territoire. Et des vêtements prêtés pour les "
     "entretiens."),
    ("proposal", "gare", "education", "Un terrain multisport ouvert le soir et le week-end",
     "Les jeunes n'ont nulle part où aller. Le city-stade du collège pourrait rester ouvert jusqu'à 21 h."),
    ("proposal", "clos-fleuri", "sante", "Une permanence de médecin généraliste une fois par semaine",
     "Le dernier médecin est parti à la retraite. Il faut prendre le bus pendant 40 minutes pour consulter."),
    ("proposal", "tilleuls", "sante", "Des permanences pour aider aux démarches en ligne",
     "CAF, impôts, ANTS : tout se fait sur Internet. Beaucoup d'habitant·es ont besoin d'aide pour remplir "
     "les formulaires."),
    ("proposal", "hors-qpv", "cadre-de-vie", "Une navette gratuite entre les quartiers et le centre-ville",
     "Le bus 12 passe toutes les 40 minutes et s'arrête à 20 h. Une navette le samedi aiderait pour les courses."),
    ("proposal", "gare", "lien-social", "Des bancs et de l'ombre le long du canal",
     "Les personnes âgées aimeraient se promener au bord du canal, mais il n'y a aucun banc ni aucun arbre."),
    ("proposal", "tilleuls", "lien-social", "Un local pour les associations de jeunes",
     "Les associations de jeunes se réunissent dans les halls. Un local, même petit, changerait tout."),
    ("proposal", "clos-fleuri", "education", "Des cours de français pour les parents",
     "Pour pouvoir parler avec l'école et aider les enfants. Le matin, pendant que les enfants sont en classe."),
    ("proposal", "gare", "emploi", "Un espace de coworking solidaire dans l'ancienne poste",
     "Le bâtiment est vide depuis trois ans. Il pourrait accueillir des créateur·rices d'entreprise du quartier."),
    ("proposal", "tilleuls", "cadre-de-vie", "Réparer les ascenseurs plus vite",
     "Au bâtiment D, l'ascenseur est en panne une semaine sur deux. Les personnes âgées restent bloquées chez elles."),
    ("proposal", "clos-fleuri", "cadre-de-vie", "Plus de poubelles et de bacs de tri sur la place",
     "Les déchets s'accumulent autour des deux seules poubelles le jour du marché."),
    ("proposal", "hors-qpv", "education", "Des sorties culturelles pour les enfants des quartiers",
     "Musée, théâtre, cinéma : une sortie par mois pendant les vacances, avec le transport pris en charge."),
    ("proposal", "gare", "sante", "Un atelier d'activité physique adaptée pour les seniors",
     "Gym douce et marche, deux fois par semaine, avec un·e éducateur·rice sportif·ve."),
    ("proposal", "tilleuls", "emploi", "Des chantiers d'insertion pour rénover les halls",
     "Rénover les halls avec des habitant·es en insertion : du travail et des halls plus beaux."),
    ("proposal", "clos-fleuri", "lien-social", "Une fête des voisins soutenue par la ville",
     "Prêter des tables, des barnums et de la sono pour la fête des voisins."),
    ("proposal", "gare", "cadre-de-vie", "Des pistes cyclables sécurisées vers le lycée",
     "Les lycéen·nes roulent sur la départementale. Une piste séparée éviterait un accident."),
    ("proposal", "tilleuls", "education", "Une ludothèque au centre social",
     "Prêter des jeux aux familles et organiser des après-midi jeux le mercredi."),
    ("proposal", "clos-fleuri", "emploi", "Un marché des créateur·rices du quartier",
     "Une fois par trimestre, pour vendre ce qu'on fabrique : couture, cuisine, bijoux."),
    ("proposal", "hors-qpv", "sante", "Une maison de santé accessible en transports en commun",
     "La future maison de santé doit être desservie par le bus depuis les trois quartiers."),
    ("proposal", "gare", "lien-social", "Un festival de musique des quartiers",
     "Faire jouer les groupes du quartier et des artistes invités, un week-end en juin."),
    ("proposal", "tilleuls", "lien-social", "Des médiateur·rices de nuit en été",
     "L'été, les nuits sont bruyantes. Des médiateur·rices pourraient apaiser les tensions sans la police."),
    ("proposal", "clos-fleuri", "cadre-de-vie", "Végétaliser la cour de l'école Jean-Jaurès",
     "La cour est entièrement goudronnée. En juin, il y fait plus de 40 °C."),
    ("proposal", "gare", "education", "Des stages de troisième trouvés par la ville",
     "Les collégien·nes du quartier n'ont pas de réseau pour trouver un stage. La ville pourrait en proposer."),
    ("proposal", "tilleuls", "sante", "Des ateliers cuisine santé avec les produits du marché",
     "Apprendre à cuisiner bon et pas cher, avec une diététicienne."),
    ("proposal", "hors-qpv", "emploi", "Des permis de conduire financés pour les jeunes en insertion",
     "Sans permis, pas de travail dans la zone d'activités. Une aide au financement serait précieuse."),
    ("proposal", "clos-fleuri", "lien-social", "Une boîte à livres sur la place",
     "Une petite bibliothèque de rue, entretenue par les habitant·es."),
    ("observation", "tilleuls", "cadre-de-vie", "Les caves du bâtiment C sont inondées à chaque orage",
     "Depuis deux ans, l'eau monte dans les caves. Des affaires ont été perdues plusieurs fois."),
    ("observation", "gare", "lien-social", "Plus aucun commerce ouvert après 19 h",
     "La supérette a fermé. Le soir, il faut aller au centre-ville pour acheter du pain."),
    ("observation", "clos-fleuri", "education", "Les classes de l'école maternelle sont surchargées",
     "29 enfants par classe en petite section cette année."),
    ("observation", "tilleuls", "emploi", "Les femmes du quartier peinent à trouver une garde d'enfants",
     "Sans place en crèche, impossible d'accepter un emploi en horaires décalés."),
    ("observation", "gare", "cadre-de-vie", "Les trottoirs sont trop étroits pour les poussettes",
     "Rue de la Gare, on marche sur la chaussée avec les poussettes et les fauteuils roulants."),
    ("observation", "hors-qpv", "sante", "Six mois d'attente pour un rendez-vous chez l'ophtalmologiste",
     "Et il faut aller jusqu'à Tours."),
    ("observation", "clos-fleuri", "lien-social", "Le centre social ferme pendant tout le mois d'août",
     "C'est justement le moment où les familles qui ne partent pas en ont le plus besoin."),
    ("observation", "tilleuls", "lien-social", "Des rodéos de motos le soir sur le parking",
     "Le bruit empêche de dormir et c'est dangereux pour les enfants."),
    ("observation", "gare", "emploi", "Beaucoup de jeunes diplômé·es ne trouvent pas de travail",
     "Certain·es pensent que leur adresse leur fait perdre des entretiens."),
    ("observation", "tilleuls", "education", "Le soutien scolaire du samedi a disparu",
     "L'association qui l'organisait n'a plus de subvention depuis l'an dernier."),
    ("observation", "clos-fleuri", "cadre-de-vie", "Les aires de jeux sont abîmées",
     "Le toboggan est fermé depuis six mois, la balançoire est cassée."),
    ("observation", "gare", "sante", "La pharmacie du quartier va fermer",
     "Le pharmacien part à la retraite sans repreneur."),
    ("observation", "hors-qpv", "emploi", "Les entreprises de la zone d'activités cherchent du personnel",
     "Mais il n'y a aucun bus pour y aller à 5 h du matin."),
    ("observation", "tilleuls", "sante", "Beaucoup de personnes âgées vivent isolées",
     "Certaines ne sortent plus de chez elles depuis des mois."),
    ("observation", "clos-fleuri", "emploi", "Les horaires de la mission locale ne conviennent pas",
     "Elle ferme à 17 h, quand les jeunes en formation peuvent enfin y aller."),
    ("question", "tilleuls", "cadre-de-vie", "Quand commencent les travaux de rénovation du bâtiment A ?",
     "Ils étaient annoncés pour 2025. Personne ne sait où en est le projet."),
    ("question", "gare", "cadre-de-vie", "Qui entretient les espaces verts le long du canal ?",
     "La ville, l'agglomération ou Voies navigables de France ?"),
    ("question", "clos-fleuri", "education", "Le collège va-t-il garder sa classe bilingue ?",
     "Des rumeurs disent qu'elle fermera à la rentrée."),
    ("question", "hors-qpv", "emploi",
     "Comment les associations peuvent-elles demander une subvention du contrat de ville ?",
     "Le dossier est compliqué et les dates changent chaque année."),
    ("question", "tilleuls", "lien-social", "Le local de la rue des Lilas peut-il être prêté aux habitant·es ?",
     "Il est fermé depuis longtemps."),
    ("question", "gare", "sante", "Un centre de santé municipal est-il envisagé ?",
     "D'autres villes l'ont fait pour attirer des médecins salarié·es."),
    ("question", "clos-fleuri", "cadre-de-vie", "Pourquoi le marché du samedi a-t-il été réduit ?",
     "Il y a deux fois moins de stands qu'avant."),
    ("question", "tilleuls", "emploi", "Les clauses d'insertion des chantiers profitent-elles aux habitant·es ?",
     "On voit beaucoup de travaux, mais peu de voisin·es embauché·es."),
    ("testimony", "tilleuls", "lien-social", "J'habite les Tilleuls depuis trente ans",
     "Avant, tout le monde se connaissait. Aujourd'hui, on ne se dit plus bonjour dans l'escalier. Je crois "
     "qu'il manque des occasions de se rencontrer."),
    ("testimony", "gare", "education", "Mon fils a décroché en quatrième",
     "Personne ne nous a prévenus avant qu'il soit trop tard. Il faudrait un lien plus direct entre le "
     "collège et les familles."),
    ("testimony", "clos-fleuri", "emploi", "J'ai trouvé mon emploi grâce à un chantier d'insertion",
     "Ce chantier m'a redonné confiance. J'aimerais que d'autres aient la même chance."),
    ("testimony", "tilleuls", "sante", "Aide-soignante, je vois la solitude des anciens",
     "Je passe chez des personnes âgées qui ne voient personne d'autre que moi de la semaine."),
    ("testimony", "gare", "cadre-de-vie", "Je ne sors plus le soir",
     "Depuis que l'éclairage de la rue a été coupé après 23 h, j'ai peur de rentrer du travail."),
    ("testimony", "clos-fleuri", "lien-social", "Le repas de quartier de 2023 reste un beau souvenir",
     "Nous étions plus de cent. On en parle encore."),
    ("testimony", "hors-qpv", "education", "Bénévole à l'aide aux devoirs",
     "Les enfants sont motivés, mais nous manquons de bénévoles et de salles."),
    # Close to earlier ones on purpose: the drafted synthesis groups what residents say in different words.
    ("proposal", "tilleuls", "cadre-de-vie", "Un jardin partagé sur la pelouse du bâtiment C",
     "Avec quelques bacs de jardinage et un point d'eau, la pelouse deviendrait un jardin partagé pour tous."),
    ("proposal", "tilleuls", "cadre-de-vie", "Des potagers partagés pour les familles",
     "Les familles sans balcon aimeraient un potager : des parcelles de jardin partagées au pied des tours."),
    ("observation", "tilleuls", "cadre-de-vie", "L'ascenseur du bâtiment A est encore en panne",
     "Trois semaines sans ascenseur : les personnes âgées ne descendent plus. Les pannes d'ascenseur durent trop."),
    ("proposal", "gare", "cadre-de-vie", "Rallumer l'éclairage de la rue du Canal",
     "L'éclairage public est coupé après 23 h : il faut rallumer les lampadaires de la rue du Canal la nuit."),
    ("observation", "gare", "cadre-de-vie", "Les lampadaires de la passerelle sont éteints",
     "Sans éclairage sur la passerelle, la rue est noire le soir ; les lampadaires sont éteints depuis l'été."),
    ("proposal", "clos-fleuri", "lien-social", "Un nouveau repas de quartier sur la place du marché",
     "Relançons le repas de quartier : chaque famille apporte un plat, sur la place du marché, en juin."),
]

COMMENTS = {
    "for": [
        "Très bonne idée, je suis prête à donner un coup de main.",
        "Oui ! Cela manque vraiment dans le quartier.",
        "Je soutiens, mes enfants en profiteraient tout de suite.",
        "Enfin une proposition concrète. Il faut la chiffrer.",
        "D'accord, et on pourrait commencer dès l'été.",
    ],
    "against": [
        "Je ne suis pas convaincu : qui va s'en occuper sur la durée ?",
        "Le coût risque d'être élevé pour peu de personnes.",
        "Il y a d'autres priorités avant celle-ci, à mon avis.",
        "Ça a déjà été essayé en 2019 et ça n'a pas tenu.",
    ],
    "neutral": [
        "Est-ce que quelqu'un sait combien cela coûterait ?",
        "Il faudrait en parler au conseil citoyen.",
        "Les horaires proposés conviennent-ils aux familles qui travaillent ?",
        "Peut-on avoir l'avis du bailleur sur ce point ?",
    ],
}
REPLIES = [
    "Bonne question, on pourrait demander au centre social.",
    "Je suis d'accord avec vous sur ce point.",
    "L'association des locataires peut s'en charger.",
    "C'est justement ce qui est prévu dans la proposition.",
]

# A neighbourhood assembly: the agenda discusses the most supported proposals; one poll already voted and
# closed (with its published ballot log), one draft the facilitator can open live.
ASSEMBLY = {
    "title": "Assemblée de quartier des Tilleuls",
    "agenda": "Les propositions les plus soutenues",
    "closed_poll": {
        "question": "Faut-il ouvrir la médiathèque le dimanche après-midi ?",
        "method": "yes_no",
        "votes": ["yes"] * 14 + ["no"] * 5 + ["abstain"] * 2,
    },
    "draft_poll": {
        "question": "Quelles propositions porter en priorité auprès des élu·es ?",
        "method": "majority_judgment",
    },
}

# The first version of the moderation charter (moderation/charter.py); rules are numbered so that decisions
# can link to them (#regle-2).
CHARTER = """\
La plateforme de la Communauté de communes accueille les idées, les avis et les débats de toutes et tous. La
modération veille à ce que chacun·e puisse y participer sereinement. Chaque décision est publique dans le journal
de modération, avec son motif ; l'auteur ou l'autrice en est prévenu·e et peut la contester une fois : un·e autre
modérateur·rice examine alors le recours.

## 1. Respect des personnes
Les injures, les propos diffamatoires, discriminatoires ou menaçants et les attaques contre une personne
reconnaissable sont masqués.

## 2. Données personnelles
Ne publiez ni le nom, ni l'adresse, ni le téléphone, ni aucune autre donnée personnelle d'un tiers.

## 3. Rester dans le sujet
Les contributions portent sur la démarche en cours et sur le territoire. Les doublons peuvent être fusionnés avec
la contribution la plus ancienne, qui garde les soutiens des deux.

## 4. Ni publicité ni propagande électorale
Pas de démarchage commercial, pas d'appel à voter pour une liste, un parti ou une personne.

## 5. Respect de la loi
Tout contenu illégal est masqué et peut être signalé aux autorités.

## 6. Comment la modération décide
Un élément signalé par plusieurs personnes est masqué en attendant qu'un·e modérateur·rice décide. Personne ne
modère sa propre contribution ni un élément qu'il ou elle a signalé. Le nom des personnes qui signalent n'est
jamais montré.
"""
