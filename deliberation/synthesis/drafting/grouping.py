"""Similar contributions grouped together: TF-IDF over their French stems, then agglomerative clustering.

Why agglomerative clustering (average linkage, cosine distance, a distance threshold) rather than KMeans:
- it needs no number of groups: two texts join when they are close enough, whatever the size of the bucket,
  so a lone contribution on another subject stays alone (a minority view) instead of being forced into the
  nearest of k centroids;
- it is deterministic (no random initialisation): the same contributions in the same order always give the
  same groups, so the same data always drafts the same text;
- average linkage avoids the chaining of single linkage (A like B, B like C, A unlike C in one group).
Its cost is quadratic in the size of one bucket (one priority and area), which stays small in practice;
above CHUNK_SIZE texts, buckets are first cut by their dominant term so that no single clustering is huge.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

from deliberation.synthesis.drafting.text import words

# Two groups merge while the average cosine distance between their texts stays below this: texts sharing
# two or three meaningful stems (« jardins partagés », « jardin partagé ») join, texts sharing one common word
# do not. Tuned on the demo data: at 0.85, « le marché du samedi » joined « le soutien scolaire du samedi »;
# at 0.7 every group of the demo is about one subject. Better to leave two texts apart (the moderator joins
# them while editing) than to put words in a group's mouth.
DISTANCE_THRESHOLD = 0.7
# Groups this small are "minority views" (points de vue minoritaires): listed apart, never dropped.
MINORITY_MAX_SIZE = 2
LABEL_WORDS = 3
# Above this many texts, a bucket is first split by its dominant term (see _chunks): keeps time and memory
# bounded (the distance matrix of n texts has n² cells).
CHUNK_SIZE = 1500


@dataclass
class Group:
    """Contributions that talk about the same thing; `keys` in input order, `label` its characteristic words."""

    keys: list[Hashable]
    label: list[str] = field(default_factory=list)
    is_minority: bool = False

    @property
    def size(self) -> int:
        return len(self.keys)


def _analyse(texts: Sequence[str]) -> tuple[list[list[str]], dict[str, str]]:
    """Stems of each text, and the surface form shown for each stem (its most frequent, then first in
    alphabetical order)."""
    surfaces: dict[str, Counter] = defaultdict(Counter)
    docs = []
    for text in texts:
        doc = []
        for stem, surface in words(text):
            doc.append(stem)
            surfaces[stem][surface] += 1
        docs.append(doc)
    shown = {stem: min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
             for stem, counter in surfaces.items()}
    return docs, shown


def _identity(doc):
    return doc


def _cluster(matrix) -> list[int]:
    """A cluster number for each row of a (normalised) TF-IDF matrix."""
    from sklearn.cluster import AgglomerativeClustering

    n = matrix.shape[0]
    if n < 2:
        return [0] * n
    # Cosine distance of l2-normalised rows; rows without any term (only stop words) are far from everything.
    similarity = (matrix @ matrix.T).toarray().astype(np.float32)
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    empty = np.asarray(matrix.getnnz(axis=1) == 0)
    distance[empty, :] = 1.0
    distance[:, empty] = 1.0
    np.fill_diagonal(distance, 0.0)
    labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                     distance_threshold=DISTANCE_THRESHOLD).fit_predict(distance)
    return [int(label) for label in labels]


def _chunks(matrix, terms) -> list[list[int]]:
    """Row indexes cut into chunks of at most CHUNK_SIZE by each row's heaviest term (texts about the same
    main word stay together), for very large buckets only."""
    n = matrix.shape[0]
    if n <= CHUNK_SIZE:
        return [list(range(n))]
    by_term: dict[int, list[int]] = defaultdict(list)
    for row in range(n):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if start == end:
            by_term[-1].append(row)
            continue
        values, columns = matrix.data[start:end], matrix.indices[start:end]
        best = max(range(len(values)), key=lambda i: (values[i], -columns[i]))
        by_term[int(columns[best])].append(row)
    chunks: list[list[int]] = []
    current: list[int] = []
    for term in sorted(by_term, key=lambda t: (-len(by_term[t]), t)):
        rows = by_term[term]
        if current and len(current) + len(rows) > CHUNK_SIZE:
            chunks.append(current)
            current = []
        for start in range(0, len(rows), CHUNK_SIZE):
            piece = rows[start:start + CHUNK_SIZE]
            if len(piece) == CHUNK_SIZE:
                chunks.append(piece)
            else:
                current.extend(piece)
    if current:
        chunks.append(current)
    return chunks


def group_texts(items: Sequence[tuple[Hashable, str]]) -> list[Group]:
    """Group (key, text) pairs by similarity. Every key lands in exactly one group; groups come largest first,
    then in order of their first member; members keep the input order. Deterministic."""
    if not items:
        return []
    keys = [key for key, _text in items]
    docs, shown = _analyse([text for _key, text in items])
    if not any(docs):
        groups = [Group(keys=[key]) for key in keys]
        return _finish(groups, None, None, shown)
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2")
    matrix = vectoriser.fit_transform(docs).tocsr()
    terms = vectoriser.get_feature_names_out()
    members: dict[tuple[int, int], list[int]] = {}
    for chunk_number, rows in enumerate(_chunks(matrix, terms)):
        for row, label in zip(rows, _cluster(matrix[rows]), strict=True):
            members.setdefault((chunk_number, label), []).append(row)
    groups = []
    for rows in members.values():
        rows.sort()
        groups.append((rows, Group(keys=[keys[row] for row in rows])))
    return _finish([group for _rows, group in groups], matrix, terms, shown, [rows for rows, _g in groups])


def _finish(groups: list[Group], matrix, terms, shown: dict[str, str], rows_of=None) -> list[Group]:
    if matrix is not None:
        for group, rows in zip(groups, rows_of, strict=True):
            sub = matrix[rows]
            weights = np.asarray(sub.sum(axis=0)).ravel()
            spread = np.asarray((sub > 0).sum(axis=0)).ravel()
            # The words most members use, then the heaviest in TF-IDF, then alphabetical (determinism).
            best = sorted(np.flatnonzero(weights),
                          key=lambda index: (-int(spread[index]), -round(float(weights[index]), 9), terms[index]))
            group.label = [shown[terms[index]] for index in best[:LABEL_WORDS]]
    order = {key: position for position, key in enumerate(key for group in groups for key in group.keys)}
    groups.sort(key=lambda group: (-group.size, min(order[key] for key in group.keys)))
    # A small group is a minority view next to larger ones; when every group of the bucket is small, none is.
    has_majority = any(group.size > MINORITY_MAX_SIZE for group in groups)
    for group in groups:
        group.is_minority = has_majority and group.size <= MINORITY_MAX_SIZE
    return groups
