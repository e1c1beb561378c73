"""The topic model: gives every comment a topic id and a BERTopic-style name such as ``"6_goal_match_striker_league"``.

Method (scikit-learn and scipy only, no neural embeddings):

1. Count the words of each comment (lower case, letters only, English stop words and chat fillers removed).
2. Embed every word by its co-occurrence profile: the positive pointwise mutual information (PPMI) between
   words that share a comment, reduced to ``EMBEDDING_DIM`` dimensions by a randomised SVD.
3. Embed every comment as the TF-IDF-weighted sum (sublinear tf) of its word vectors, normalised to unit length.
4. Cluster the comment embeddings with k-means on unit vectors (spherical k-means); without ``n_topics`` the
   number of topics is the candidate with the best (centroid-based) cosine silhouette on a sample.
5. Refine once: weight every word by how concentrated it is in few of these clusters, embed and cluster again.
6. Comments with no usable word, or far from their topic's centroid, are outliers (-1).
7. Name each topic by its class-based TF-IDF top terms (as BERTopic does); outliers by their most common terms.

Why word co-occurrence rather than clustering TF-IDF vectors directly: comments are short, so two comments of one
topic often share no word at all, while filler ("honestly", "people", "interesting stuff") is shared by comments
of every topic. Clustering TF-IDF vectors then groups comments by their filler. Measured on the generated
``default`` preset (20,000 comments, 36 topics, the true number of topics given): LSA + k-means reached an
adjusted mutual information (AMI) of 0.08 with the true topics, Frobenius NMF 0.09, Kullback-Leibler NMF 0.48
(5.6 s), LDA 0.31 (18 s); this method 0.95 (1.5 s). Words of one topic co-occur with each other and so get
similar vectors, while a filler word co-occurs with everything, gets PPMI near zero and a vector near zero,
and hardly moves a comment.
Why the refinement: set phrases of comment templates ("saw a thread about it earlier") co-occur as strongly as
topic words do and form clusters of their own; such words are spread over many clusters, so weighting words by
their concentration fades them (AMI 0.88 -> 0.94 on the 107,620 comments of the ``kumar`` preset).
Everything random takes ``seed`` and runs on one thread, so the same texts and seed give the same topics.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize
from sklearn.utils.extmath import randomized_svd
from threadpoolctl import threadpool_limits

OUTLIER_ID = -1
MIN_TOPICS, MAX_TOPICS = 5, 60
TOPIC_COUNT_CANDIDATES = (MIN_TOPICS, 10, 15, 20, 25, 30, 35, 40, 50, MAX_TOPICS)
MIN_TOPIC_SIZE = 10  # as BERTopic's default: a handful of comments is noise, not a topic
EMBEDDING_DIM = 100
# Rarer words add little to a topic but the word co-occurrence matrix grows with their square: on 107,620
# comments with 100,000 distinct words, 20,000 words took three times as long as 10,000.
MAX_VOCABULARY = 10000
# Caps on iterations that bound the time on large, weakly structured text without changing results on topical
# text, where k-means converges well within the cap.
SVD_POWER_ITERATIONS = 4
KMEANS_MAX_ITERATIONS = 100
SELECTION_SAMPLE_SIZE = 4000  # comments clustered per candidate topic count
FIRST_PASS_SAMPLE_SIZE = 20000  # comments clustered to measure how concentrated each word is
# A comment whose cosine similarity to its topic's centroid is below this is an outlier, but never more than
# MAX_OUTLIER_SHARE of the comments: on generated comments this marks the ~1% that barely touch their topic.
OUTLIER_SIMILARITY = 0.35
MAX_OUTLIER_SHARE = 0.05
TERMS_PER_NAME = 4
NO_TERMS_NAME = "outliers"  # names outliers that have no counted word at all (e.g. empty comments)
# Conversational filler that scikit-learn's list lacks; it says nothing about a topic.
CHAT_FILLER = frozenset(
    "like just really lol lmao yeah yes ok okay gonna wanna gotta im ive id ill dont didnt doesnt isnt arent wasnt "
    "werent cant couldnt wont wouldnt shouldnt youre theyre thats theres whats got did does doing said say says "
    "thing things oh um uh hey guess maybe actually literally pretty tbh idk imo btw".split()
)
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | CHAT_FILLER)
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"  # words of two or more letters: no numbers, no underscores
POSSESSIVE = re.compile(r"['’]s\b")
APOSTROPHE = re.compile(r"['’]")


def assign_topics(texts: Sequence[str], seed: int = 0, n_topics: int | None = None) -> pd.DataFrame:
    """One row per text, in order: ``topic_id`` (0 = largest topic, -1 = outlier) and ``topic`` (its name).

    ``n_topics`` fixes the number of topics (fewer if there are fewer distinct comments); None chooses it from
    the data, between ``MIN_TOPICS`` and ``MAX_TOPICS`` and with at least ``MIN_TOPIC_SIZE`` comments per topic on average.
    """
    documents = _validated_texts(texts)
    if n_topics is not None:
        if isinstance(n_topics, bool) or not isinstance(n_topics, Integral) or n_topics < 1:
            raise ValueError(f"n_topics must be a positive integer or None, got {n_topics!r}")
        n_topics = int(n_topics)
    # One thread: the same answer on any machine, and no OpenMP busy-waiting on a shared, busy CPU.
    with threadpool_limits(limits=1):
        counts, vocabulary = _count_words(documents)
        labels = _ids_by_size(_cluster_labels(counts, seed, n_topics))
        names = _topic_names(counts, labels, vocabulary)
    return pd.DataFrame({"topic_id": labels, "topic": [names[label] for label in labels]})


def _validated_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of strings, not a single string")
    documents = list(texts)
    for position, text in enumerate(documents):
        if not isinstance(text, str):
            raise TypeError(f"texts[{position}] is {type(text).__name__}, not str")
    return documents


def _normalise_text(text: str) -> str:
    """Lower case; "it's"/"Anna's" lose the 's and "don't" becomes "dont" (a stop word), not "don" + "t"."""
    return APOSTROPHE.sub("", POSSESSIVE.sub("", text.lower()))


def _count_words(documents: list[str]) -> tuple[sp.csr_matrix, np.ndarray]:
    """Comment x word counts: the most frequent words that occur in at least two comments (any, for tiny inputs)."""
    vectorizer = CountVectorizer(
        preprocessor=_normalise_text,
        token_pattern=TOKEN_PATTERN,
        stop_words=STOP_WORDS,
        min_df=2 if len(documents) >= 2 * MIN_TOPIC_SIZE else 1,
        max_features=MAX_VOCABULARY,
        dtype=np.float32,
    )
    try:
        counts = vectorizer.fit_transform(documents)
    except ValueError:  # scikit-learn's "empty vocabulary": no comment has a word we count
        return sp.csr_matrix((len(documents), 0), dtype=np.float32), np.array([], dtype=object)
    return counts.tocsr(), vectorizer.get_feature_names_out()


def _cluster_labels(counts: sp.csr_matrix, seed: int, n_topics: int | None) -> np.ndarray:
    """A cluster index per comment; -1 for comments without a usable word or too far from their centroid."""
    labels = np.full(counts.shape[0], OUTLIER_ID, dtype=np.int64)
    if counts.shape[1] == 0:
        return labels
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    word_vectors = _word_vectors(counts, seed)
    specificity = _word_specificity(counts, tfidf, word_vectors, n_topics, seed)
    embeddings, embedded = _comment_embeddings(tfidf, word_vectors * specificity[:, None])
    if len(embedded) == 0:
        return labels
    clustering = _fit_topics(embeddings, n_topics, seed)
    centroid_similarity = np.einsum("ij,ij->i", embeddings, normalize(clustering.cluster_centers_)[clustering.labels_])
    threshold = min(OUTLIER_SIMILARITY, np.quantile(centroid_similarity, MAX_OUTLIER_SHARE))
    labels[embedded] = np.where(centroid_similarity < threshold, OUTLIER_ID, clustering.labels_)
    return labels


def _comment_embeddings(tfidf: sp.csr_matrix, word_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit-length embeddings of the comments that have one (a non-zero one), and those comments' positions."""
    embeddings = normalize(tfidf @ word_vectors)
    embedded = np.flatnonzero(np.linalg.norm(embeddings, axis=1) > 0)
    return embeddings[embedded], embedded


def _word_vectors(counts: sp.csr_matrix, seed: int) -> np.ndarray:
    """Rows: words. Words that co-occur with the same words get similar rows; filler gets rows near zero."""
    present = (counts > 0).astype(np.float32)
    n_comments, n_words = present.shape
    document_frequency = np.asarray(present.sum(axis=0)).ravel().astype(np.float64)
    ppmi = (present.T @ present).tocsr()
    rows = np.repeat(np.arange(n_words), np.diff(ppmi.indptr))
    pmi = np.log(ppmi.data * (n_comments / (document_frequency[rows] * document_frequency[ppmi.indices])))
    pmi[pmi < 0] = 0.0
    ppmi.data = pmi.astype(np.float32)
    ppmi.eliminate_zeros()
    if n_words <= EMBEDDING_DIM:
        return ppmi.toarray()
    left, singular_values, _ = randomized_svd(ppmi, EMBEDDING_DIM, n_iter=SVD_POWER_ITERATIONS, random_state=seed)
    return left * np.sqrt(singular_values)


def _word_specificity(
    counts: sp.csr_matrix, tfidf: sp.csr_matrix, word_vectors: np.ndarray, n_topics: int | None, seed: int
) -> np.ndarray:
    """Per word, how concentrated it is in few clusters of a first clustering (of a sample): 1 = in one only."""
    embeddings, embedded = _comment_embeddings(tfidf, word_vectors)
    sample_size = min(len(embedded), FIRST_PASS_SAMPLE_SIZE)
    if sample_size == 0:
        return np.ones(counts.shape[1])
    sample = np.sort(np.random.default_rng(seed).choice(len(embedded), sample_size, replace=False))
    first_pass = _fit_topics(embeddings[sample], n_topics, seed)
    return _concentration(counts[embedded], first_pass.predict(embeddings), first_pass.n_clusters)


def _concentration(counts: sp.csr_matrix, labels: np.ndarray, n_clusters: int) -> np.ndarray:
    """Per word, 1 - normalised entropy of its per-comment rate across clusters: 1 in one cluster, 0 spread evenly."""
    if n_clusters < 2:
        return np.ones(counts.shape[1])
    rate = np.asarray((_membership(labels, n_clusters) @ counts).todense(), dtype=np.float64)
    rate /= np.maximum(np.bincount(labels, minlength=n_clusters), 1)[:, None]
    share = rate / np.maximum(rate.sum(axis=0, keepdims=True), np.finfo(float).tiny)
    entropy = -np.sum(share * np.log(np.where(share > 0, share, 1.0)), axis=0)
    return 1.0 - entropy / np.log(n_clusters)


def _fit_topics(embeddings: np.ndarray, n_topics: int | None, seed: int) -> KMeans:
    k = n_topics or _choose_topic_count(embeddings, seed)
    return _cluster(embeddings, min(k, _distinct_row_count(embeddings, seed)), seed)


def _distinct_row_count(embeddings: np.ndarray, seed: int) -> int:
    """Distinct rows, counted by their projection on a random direction: k-means needs k distinct points."""
    direction = np.random.default_rng(seed).standard_normal(embeddings.shape[1])
    return len(np.unique(embeddings @ direction))


def _choose_topic_count(embeddings: np.ndarray, seed: int) -> int:
    """The candidate count whose k-means partition of a sample has the best simplified silhouette."""
    largest = min(MAX_TOPICS, max(1, len(embeddings) // MIN_TOPIC_SIZE))
    candidates = [k for k in TOPIC_COUNT_CANDIDATES if k <= largest] or [largest]
    if len(candidates) == 1:
        return candidates[0]
    rng = np.random.default_rng(seed)
    sample = embeddings[rng.choice(len(embeddings), min(len(embeddings), SELECTION_SAMPLE_SIZE), replace=False)]
    distinct = _distinct_row_count(sample, seed)
    scores = [_simplified_silhouette(sample, _cluster(sample, min(k, distinct), seed)) for k in candidates]
    return candidates[int(np.argmax(scores))]


def _simplified_silhouette(embeddings: np.ndarray, clustering: KMeans) -> float:
    """Silhouette with centroids in place of all pairs (cosine distances): O(n k) instead of O(n^2)."""
    if clustering.n_clusters < 2:
        return 0.0
    similarity = embeddings @ normalize(clustering.cluster_centers_).T
    rows = np.arange(len(embeddings))
    own_distance = 1.0 - similarity[rows, clustering.labels_]
    similarity[rows, clustering.labels_] = -np.inf
    nearest_other_distance = 1.0 - similarity.max(axis=1)
    spread = np.maximum(np.maximum(own_distance, nearest_other_distance), 1e-12)
    return float(np.mean((nearest_other_distance - own_distance) / spread))


def _cluster(embeddings: np.ndarray, k: int, seed: int) -> KMeans:
    return KMeans(n_clusters=k, n_init=1, max_iter=KMEANS_MAX_ITERATIONS, random_state=seed).fit(embeddings)


def _membership(labels: np.ndarray, n_clusters: int) -> sp.csr_matrix:
    """Cluster x comment indicator matrix; comments labelled -1 belong to no row."""
    members = np.flatnonzero(labels != OUTLIER_ID)
    return sp.csr_matrix(
        (np.ones(len(members), dtype=np.float32), (labels[members], members)), shape=(n_clusters, len(labels))
    )


def _ids_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber topics 0..k-1 from largest to smallest (ties: lower old id first); outliers stay -1."""
    topics, sizes = np.unique(labels[labels != OUTLIER_ID], return_counts=True)
    order = topics[np.argsort(-sizes, kind="stable")]
    new_ids = np.full(labels.max(initial=OUTLIER_ID) + 2, OUTLIER_ID, dtype=np.int64)
    new_ids[order + 1] = np.arange(len(order))
    return new_ids[labels + 1]


def _topic_names(counts: sp.csr_matrix, labels: np.ndarray, vocabulary: np.ndarray) -> dict[int, str]:
    """``"<id>_<w1>_<w2>_<w3>_<w4>"`` for every label present (ids 0..k-1 and -1)."""
    names = {}
    n_topics = labels.max(initial=OUTLIER_ID) + 1
    if n_topics > 0:
        term_weights = _class_tfidf(np.asarray((_membership(labels, n_topics) @ counts).todense()))
        used: set[str] = set()
        for topic_id in range(n_topics):
            terms = _distinct_top_terms(term_weights[topic_id], vocabulary, used)
            used.update(terms)
            names[topic_id] = "_".join([str(topic_id), *terms])
    outliers = labels == OUTLIER_ID
    if outliers.any():
        outlier_counts = np.asarray(counts[outliers].sum(axis=0)).ravel()
        ranked = np.argsort(-outlier_counts, kind="stable")[:TERMS_PER_NAME]
        terms = [vocabulary[i] for i in ranked if outlier_counts[i] > 0] or [NO_TERMS_NAME]
        names[OUTLIER_ID] = "_".join([str(OUTLIER_ID), *terms])
    return names


def _class_tfidf(term_counts: np.ndarray) -> np.ndarray:
    """BERTopic's class-based TF-IDF: a term's share of a topic's words x log(1 + mean words per topic / its total)."""
    term_share = term_counts / np.maximum(term_counts.sum(axis=1, keepdims=True), 1.0)
    term_totals = term_counts.sum(axis=0)
    mean_words_per_topic = term_counts.sum() / len(term_counts)
    return term_share * np.log1p(mean_words_per_topic / np.maximum(term_totals, 1.0))


def _distinct_top_terms(weights: np.ndarray, vocabulary: np.ndarray, used: set[str]) -> list[str]:
    """The best-weighted terms not already naming a larger topic, topped up with used ones if too few remain."""
    candidates = np.argsort(-weights, kind="stable")[: TERMS_PER_NAME + len(used)]  # holds 4 fresh ones if any
    ranked = [vocabulary[i] for i in candidates if weights[i] > 0]
    fresh = [term for term in ranked if term not in used]
    return (fresh + [term for term in ranked if term in used])[:TERMS_PER_NAME]

