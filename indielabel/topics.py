"""The topic model: gives every comment a topic id and a BERTopic-style name such as ``"6_goal_match_striker_league"``.

Method (scikit-learn and scipy only, no neural embeddings):

1. Count the words of each comment (lower case, letters only, English stop words and chat fillers removed).
2. Embed every word by its co-occurrence profile: the positive pointwise mutual information (PPMI) between
   words that share a comment, reduced to ``EMBEDDING_DIM`` dimensions by a randomised SVD.
3. Embed every comment as the TF-IDF-weighted sum of its word embeddings (sublinear tf), normalised.
4. Cluster the comment embeddings with k-means on unit vectors (spherical k-means); without ``n_topics`` the
   number of topics is the candidate with the best cosine silhouette on a sample.
5. Comments with no known word, or far from their topic's centroid, are outliers (-1).
6. Name each topic by its class-based TF-IDF top terms (as BERTopic does); outliers by their most common terms.

Why word co-occurrence rather than clustering TF-IDF vectors directly: comments are short, so two comments of one
topic often share no word at all, while filler words ("honestly", "people", "think") are shared by comments of
every topic. Clustering TF-IDF vectors (plain LSA + k-means, Frobenius NMF) then groups comments by filler and
reaches an adjusted mutual information (AMI) near 0.1 on a generated corpus where this method reaches 0.88:
words of one topic co-occur with each other and so get similar embeddings, whereas a filler word co-occurs
with everything, gets a PPMI near zero and hence an embedding near zero, so it hardly moves a comment. LDA and
Kullback-Leibler NMF cope with filler too, but are several times slower and less accurate on the same corpus.
Everything random takes ``seed``, so the same texts and seed give the same topics.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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
MIN_TOPIC_SIZE = 10  # as BERTopic's default: fewer comments than this per topic is noise, not a topic
EMBEDDING_DIM = 100
SELECTION_SAMPLE_SIZE = 4000
TOPIC_COUNT_CANDIDATES = (5, 8, 10, 12, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60)
# A comment whose cosine similarity to its topic's centroid is below this is an outlier, but never more than
# MAX_OUTLIER_SHARE of the comments: on generated comments this marks the ~1% that barely touch their topic.
OUTLIER_SIMILARITY = 0.35
MAX_OUTLIER_SHARE = 0.05
TERMS_PER_NAME = 4
NO_TERMS_NAME = "outliers"
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

    ``n_topics`` fixes the number of topics (at most one per distinct comment); None chooses it from the data.
    """
    documents = _validated_texts(texts)
    if n_topics is not None and (isinstance(n_topics, bool) or not isinstance(n_topics, int) or n_topics < 1):
        raise ValueError(f"n_topics must be a positive integer or None, got {n_topics!r}")
    # One thread: the same answer on any machine, and no OpenMP busy-waiting on a shared, busy CPU.
    with threadpool_limits(limits=1):
        counts, vocabulary = _count_words(documents)
        labels = _cluster_labels(counts, seed, n_topics)
    labels = _ids_by_size(labels)
    names = _topic_names(counts, labels, vocabulary)
    return pd.DataFrame({"topic_id": labels, "topic": [names[label] for label in labels]})


def _cluster_labels(counts: sp.csr_matrix, seed: int, n_topics: int | None) -> np.ndarray:
    """A cluster index per comment, -1 for comments without a usable word or too far from their centroid."""
    labels = np.full(counts.shape[0], OUTLIER_ID, dtype=np.int64)
    if counts.shape[1] == 0:
        return labels
    embeddings = _comment_embeddings(counts, seed)
    embedded = np.flatnonzero(np.linalg.norm(embeddings, axis=1) > 0)
    if len(embedded) == 0:
        return labels
    embeddings = embeddings[embedded]
    k = n_topics or _choose_topic_count(embeddings, seed)
    clustering = _cluster(embeddings, min(k, len(np.unique(embeddings, axis=0))), seed)
    centroid_similarity = np.einsum("ij,ij->i", embeddings, normalize(clustering.cluster_centers_)[clustering.labels_])
    threshold = min(OUTLIER_SIMILARITY, np.quantile(centroid_similarity, MAX_OUTLIER_SHARE))
    labels[embedded] = np.where(centroid_similarity < threshold, OUTLIER_ID, clustering.labels_)
    return labels


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
    """Comment x word counts over the words that occur in at least two comments (all words for tiny inputs)."""
    vectorizer = CountVectorizer(
        preprocessor=_normalise_text,
        token_pattern=TOKEN_PATTERN,
        stop_words=STOP_WORDS,
        min_df=2 if len(documents) >= 2 * MIN_TOPIC_SIZE else 1,
        dtype=np.float32,
    )
    try:
        counts = vectorizer.fit_transform(documents)
    except ValueError:  # scikit-learn's "empty vocabulary": no comment has a word we count
        return sp.csr_matrix((len(documents), 0), dtype=np.float32), np.array([], dtype=object)
    return counts.tocsr(), vectorizer.get_feature_names_out()


def _word_embeddings(counts: sp.csr_matrix, seed: int) -> np.ndarray:
    """Rows: words. Words that co-occur with the same words get similar rows; filler gets rows near zero."""
    present = (counts > 0).astype(np.float32)
    n_comments = present.shape[0]
    document_frequency = np.asarray(present.sum(axis=0)).ravel()
    cooccurrence = (present.T @ present).tocoo()
    off_diagonal = cooccurrence.row != cooccurrence.col
    rows, cols = cooccurrence.row[off_diagonal], cooccurrence.col[off_diagonal]
    pmi = np.log(cooccurrence.data[off_diagonal] * n_comments / (document_frequency[rows] * document_frequency[cols]))
    positive = pmi > 0
    n_words = counts.shape[1]
    ppmi = sp.csr_matrix((pmi[positive], (rows[positive], cols[positive])), shape=(n_words, n_words))
    if n_words <= EMBEDDING_DIM:
        return ppmi.toarray()
    left, singular_values, _ = randomized_svd(ppmi, EMBEDDING_DIM, random_state=seed)
    return left * np.sqrt(singular_values)


def _comment_embeddings(counts: sp.csr_matrix, seed: int) -> np.ndarray:
    """Unit rows (or zero rows for comments without a counted word)."""
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    return normalize(tfidf @ _word_embeddings(counts, seed))


def _choose_topic_count(embeddings: np.ndarray, seed: int) -> int:
    """The candidate count whose k-means partition of a sample has the best cosine silhouette."""
    largest = min(MAX_TOPICS, max(1, len(embeddings) // MIN_TOPIC_SIZE))
    candidates = [k for k in TOPIC_COUNT_CANDIDATES if k <= largest] or [largest]
    if len(candidates) == 1:
        return candidates[0]
    rng = np.random.default_rng(seed)
    sample = embeddings[rng.choice(len(embeddings), min(len(embeddings), SELECTION_SAMPLE_SIZE), replace=False)]
    scores = [_simplified_silhouette(sample, _cluster(sample, k, seed)) for k in candidates]
    return candidates[int(np.argmax(scores))]


def _simplified_silhouette(embeddings: np.ndarray, clustering: KMeans) -> float:
    """Silhouette with centroids in place of all pairs (cosine distances): O(n k) instead of O(n^2)."""
    similarity = embeddings @ normalize(clustering.cluster_centers_).T
    rows = np.arange(len(embeddings))
    own_distance = 1.0 - similarity[rows, clustering.labels_]
    similarity[rows, clustering.labels_] = -np.inf
    nearest_other_distance = 1.0 - similarity.max(axis=1)
    spread = np.maximum(np.maximum(own_distance, nearest_other_distance), 1e-12)
    return float(np.mean((nearest_other_distance - own_distance) / spread))


def _cluster(embeddings: np.ndarray, k: int, seed: int) -> KMeans:
    return KMeans(n_clusters=k, n_init=1, random_state=seed).fit(embeddings)


def _ids_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber topics 0..k-1 from largest to smallest (ties: lower old id first); outliers stay -1."""
    topics, sizes = np.unique(labels[labels != OUTLIER_ID], return_counts=True)
    order = topics[np.argsort(-sizes, kind="stable")]
    new_ids = np.full(labels.max(initial=OUTLIER_ID) + 2, OUTLIER_ID, dtype=np.int64)
    new_ids[order + 1] = np.arange(len(order))
    return new_ids[labels + 1]


def _topic_names(counts: sp.csr_matrix, labels: np.ndarray, vocabulary: np.ndarray) -> dict[int, str]:
    """``"<id>_<w1>_<w2>_<w3>_<w4>"`` for every label present, outliers included."""
    names = {}
    topic_ids = np.unique(labels[labels != OUTLIER_ID])
    if len(topic_ids):
        membership = sp.csr_matrix(
            (np.ones(np.count_nonzero(labels != OUTLIER_ID), dtype=np.float32),
             (labels[labels != OUTLIER_ID], np.flatnonzero(labels != OUTLIER_ID))),
            shape=(len(topic_ids), len(labels)),
        )
        term_weights = _class_tfidf(np.asarray((membership @ counts).todense()))
        used: set[str] = set()
        for topic_id in topic_ids:
            terms = _distinct_top_terms(term_weights[topic_id], vocabulary, used)
            used.update(terms)
            names[int(topic_id)] = "_".join([str(topic_id), *terms])
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
    ranked = [vocabulary[i] for i in np.argsort(-weights, kind="stable") if weights[i] > 0]
    fresh = [term for term in ranked if term not in used]
    return (fresh + [term for term in ranked if term in used])[:TERMS_PER_NAME]
