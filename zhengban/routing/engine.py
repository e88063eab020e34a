"""The duty router: which unit's duties cover this text?

Pure Python and jieba, no Django, so it runs the same in a request, a command and a benchmark.
Each unit is a *target* with its duty sentences. A text is tokenized, expanded with the
synonym table, and scored with BM25 against every duty sentence; a target's score is its best
sentence plus a damped sum of the others, so a unit whose duties mention a topic several
times wins over one that mentions it in passing, but never by count alone. The sentences that
scored are returned as the reason ("because"), so a clerk sees the duty that decided it.

Three refinements, each general rather than per-item:
- boilerplate sentences that recur verbatim across several units (市政府分管领导批示件的督办…)
  say nothing about a topic and are left out;
- an attached office (参事室, 应急管理办公室) whose organs have no duty sentences of their own
  hands its sentences to them: each sentence goes to the organ whose name it echoes
  (指挥联络处 ← 指挥处置), and every organ keeps the office's text at a lower weight;
- corrections made by people (a text routed to another unit than suggested) are extra
  sentences of the chosen unit, so similar texts follow the decision.

And one that carries the router beyond the regulation's own words: the built-in catalogue of
city departments (`catalogue.py`). Each department's duties, with the everyday words people
use for them (暖气, 积水, 学位, 欠薪 …), are documents of the index too. They belong to the
department itself, when it is a target (an external handling unit of that name, or the
catalogue's own department in `department_targets` mode), and — at a lower weight — to the
office's divisions whose duties name the department's sector, so a text reaches a division
through the department it is about. Such a suggestion shows the division's sentence that names
the sector and the department's duty, and `Match.via` names the department.

Scopes: "internal" ranks the office's own units (organs, organs outside the count, attached
offices and their organs), "external" the handling units outside (city departments, district
governments), "all" both in one ranking.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .catalogue import Catalogue, builtin_catalogue, link_departments

DATA_DIR = Path(__file__).resolve().parent / "data"

# BM25 constants (the usual ones; duty sentences are short, so length matters little).
K1 = 1.2
B = 0.5
# A target's score: best sentence + DAMPING × the sum of its other sentences.
DAMPING = 0.3
# Query-term weights.
WEIGHT_DIRECT = 1.0
WEIGHT_PART = 0.5  # 卫生 inside 卫生局: a sub-word of a longer word.
WEIGHT_SYNONYM = 0.6
WEIGHT_SAME = 1.0  # an abbreviation or equivalent (打私 = 打击走私).
# Several words of a text pointing to the same duty word count more than one: a term's
# weight is its best source plus this share of the others, up to WEIGHT_CAP.
WEIGHT_SUPPORT = 0.5
WEIGHT_CAP = 1.5
# Curated terms get at least this jieba frequency, so they are cut whole in context
# (对外事 → 对 外事, not 对外 事).
TERM_FREQ = 20000
WEIGHT_GENERIC = 0.3
# A word naming a kind of document the regulation assigns by kind (代表建议, 市长信箱).
WEIGHT_DOCTYPE = 3.0
# Sentence weights by where the sentence came from.
WEIGHT_OWN = 1.0
WEIGHT_NAME = 0.8  # the unit's name as a pseudo-sentence ("农经处" → 农经).
WEIGHT_ASSIGNED = 0.9  # an attached office's sentence handed to the organ it names.
WEIGHT_INHERITED = 0.4  # an attached office's sentence kept by all its organs.
WEIGHT_SHARED = 0.5  # a main duty of the organization handed to the unit it matches best.
WEIGHT_LEARNED = 1.0  # a text people routed to this unit.
WEIGHT_DEPARTMENT = 1.0  # a catalogue duty of the department the target is.
WEIGHT_VIA = 0.7  # a catalogue duty of a department the division coordinates.
WEIGHT_VIA_NAME = 0.6  # the department's names ("市人社局…") for the division.
# A unit named in the text ("请督查室…") gets this many times the best sentence score.
NAME_BONUS = 1.0
# A sentence repeated verbatim in at least this many targets is boilerplate.
BOILERPLATE_MIN_TARGETS = 3

SENTENCE_SPLIT = re.compile(r"[；;。！？!?\n]+")
CLAUSE_SPLIT = re.compile(r"[，,；;。：:\n]+")
NUMBERING = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])\s*"
)
PARENTHESIS = re.compile(r"[（(]([^（）()]*)[)）]")
WORD = re.compile(r"[\w\u4e00-\u9fff]")
DIGITS = re.compile(r"^[\d.%％]+$")

LEARNED_PREFIX = "历史分办："
NAMED_PREFIX = "来文涉及："
# A department's names are alternatives, not a long sentence: BM25 sees them as this long.
NAMES_LENGTH = 2.0

INTERNAL_KINDS = ("internal", "extra", "attached")
EXTERNAL_KINDS = ("external",)
SCOPES = {"internal": INTERNAL_KINDS, "external": EXTERNAL_KINDS, "all": None}


@dataclass(frozen=True)
class Target:
    """A routable unit: an internal organ, an attached office or one of its organs, or an
    external handling unit. `parent` is the key of the attached office an organ belongs to."""

    key: str
    name: str
    other_names: tuple[str, ...] = ()
    sentences: tuple[str, ...] = ()
    kind: str = "internal"
    parent: str | None = None


@dataclass(frozen=True)
class Learned:
    """A past decision: `text` was routed to `chosen` (a target key)."""

    text: str
    chosen: str


@dataclass
class Match:
    key: str
    name: str
    score: float
    because: list[str]
    # Query terms found in `because`, for highlighting.
    terms: list[str] = field(default_factory=list)
    kind: str = "internal"
    # The city department through which the text reached this unit ("" if its own duties).
    via: str = ""


@dataclass
class _Doc:
    text: str
    tokens: dict[str, float]
    length: float
    # (target index, weight): the same sentence may serve several targets.
    owners: list[tuple[int, float]]
    learned: bool = False
    # Catalogue documents: the department, the division sentence that links each owner to
    # it, and the everyday words listed with the duty.
    via: str = ""
    anchors: dict[int, str] = field(default_factory=dict)
    words: frozenset[str] = frozenset()


# --- vocabulary -----------------------------------------------------------------------------


def _read_lines(name: str) -> list[str]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(_read_lines("stopwords.txt"))


@lru_cache(maxsize=1)
def generic_words() -> frozenset[str]:
    return frozenset(_read_lines("generic.txt"))


@lru_cache(maxsize=1)
def doctype_words() -> frozenset[str]:
    return frozenset(_read_lines("doctypes.txt"))


@lru_cache(maxsize=1)
def curated_terms() -> tuple[str, ...]:
    return tuple(_read_lines("terms.txt"))


@lru_cache(maxsize=1)
def synonyms() -> dict[str, tuple[tuple[str, float], ...]]:
    """word → ((expansion, weight), …). "word = x y" marks the same thing said another way
    (打私 = 打击走私, full weight); "word: x y" a word of the topic (饮水: 农村, lower weight)."""
    table: dict[str, tuple[tuple[str, float], ...]] = {}
    for line in _read_lines("synonyms.txt"):
        same = "=" in line and (":" not in line or line.index("=") < line.index(":"))
        word, _, expansions = line.partition("=" if same else ":")
        weight = WEIGHT_SAME if same else WEIGHT_SYNONYM
        table[word.strip()] = tuple((e, weight) for e in expansions.split())
    return table


# --- tokenizer ------------------------------------------------------------------------------

_tokenizer = None
_tokenizer_lock = threading.Lock()
_known_terms: set[str] = set()


def tokenizer():
    """The router's own jieba tokenizer, loaded once per process on first use (about a
    second), with the office's vocabulary added."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                instance = jieba.Tokenizer()
                instance.initialize()
                for term in (*curated_terms(), *doctype_words()):
                    instance.add_word(term, max(TERM_FREQ, instance.suggest_freq(term)))
                for term in synonyms():
                    instance.add_word(term)
                _known_terms.update(curated_terms())
                _known_terms.update(doctype_words())
                _known_terms.update(synonyms())
                _tokenizer = instance
    return _tokenizer


def add_terms(terms) -> None:
    """Teach the tokenizer new words (unit names) so they are cut whole."""
    tk = tokenizer()
    with _tokenizer_lock:
        new = [term for term in terms if len(term) >= 2 and term not in _known_terms]
        for term in new:
            tk.add_word(term)
            _known_terms.add(term)
        if new:
            for cached in (_parts, _cut, _word_tokens, _word_terms, _expansion_tokens):
                cached.cache_clear()


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=65536)
def _parts(word: str) -> tuple[str, ...]:
    """The best way to cut `word` without keeping it whole: 卫生局 → 卫生 局, 市政府 → 市 政府
    (not 市政 府), 人大代表 → 人大 代表. Lets 卫生局 in a text match 卫生 in a duty."""
    tk = tokenizer()
    n = len(word)
    dag = tk.get_DAG(word)
    log_total = math.log(tk.total)
    best: dict[int, tuple[float, int]] = {n: (0.0, 0)}
    for i in range(n - 1, -1, -1):
        best[i] = max(
            (math.log(tk.FREQ.get(word[i : j + 1]) or 1) - log_total + best[j + 1][0], j)
            for j in dag[i]
            if not (i == 0 and j == n - 1)
        )
    pieces, i = [], 0
    while i < n:
        j = best[i][1]
        pieces.append(word[i : j + 1])
        i = j + 1
    return tuple(pieces)


def _words(text: str) -> list[str]:
    return tokenizer().lcut(normalize(text), HMM=False)


@lru_cache(maxsize=65536)
def _word_tokens(word: str) -> tuple[tuple[str, float], ...]:
    """The tokens one jieba word stands for, with weights: the word, and its sub-words at a
    lower weight (卫生局 → 卫生局, 卫生). Stopwords, punctuation and numbers stand for none."""
    if len(word) < 2 or not WORD.search(word) or DIGITS.match(word):
        return ()
    stop = stopwords()
    if word in stop:
        return ()  # 办公厅 is dropped whole, 办公 with it.
    out = [(word, WEIGHT_DIRECT)]
    _add_parts(word, WEIGHT_PART, out, stop)
    return tuple(out)


def _add_parts(word: str, weight: float, out: list, stop) -> None:
    """Sub-words of a long word, recursively, each level at a lower weight
    (政府信息公开 → 政府, 信息公开 → 信息, 公开)."""
    if len(word) < 3:
        return
    for part in _parts(word):
        if len(part) >= 2 and part not in stop:
            out.append((part, weight))
            _add_parts(part, weight * WEIGHT_PART, out, stop)


@lru_cache(maxsize=65536)
def _cut(text: str) -> tuple[tuple[str, float], ...]:
    """Tokens of a normalized text with their weights (1 for a word, less for a sub-word)."""
    return tuple(t for word in tokenizer().lcut(text, HMM=False) for t in _word_tokens(word))


def tokenize(text: str) -> list[str]:
    """The words of `text` as the router sees them (stopwords dropped, sub-words added)."""
    return [token for token, _weight in _cut(normalize(text))]


@lru_cache(maxsize=65536)
def _word_terms(word: str) -> tuple[tuple[str, float], ...]:
    """The weighted query terms one word of a text contributes: its tokens, scaled down if
    generic, and their synonym expansions. Cached: titles share most of their words."""
    generic = generic_words()
    table = synonyms()
    out = []
    tokens = _word_tokens(word)
    if word in doctype_words():
        tokens = tuple((token, weight * WEIGHT_DOCTYPE) for token, weight in tokens)
    own = bool(tokens) and tokens[0][0] in table
    for token, weight in tokens:
        if token in generic:
            weight *= WEIGHT_GENERIC  # and so are its expansions (企业 → 工业).
        out.append((token, weight))
        if own and weight < WEIGHT_DIRECT:
            continue  # 农民工 has its own synonyms; its part 农民 adds no others.
        for expansion, factor in table.get(token, ()):
            for part, part_weight in _expansion_tokens(expansion):
                scale = WEIGHT_GENERIC if part in generic else 1.0
                out.append((part, weight * factor * part_weight * scale))
    return tuple(out)


@lru_cache(maxsize=4096)
def _expansion_tokens(expansion: str) -> tuple[tuple[str, float], ...]:
    # Vocabulary of the synonym table, cut once per process.
    return _cut(normalize(expansion))


def query_terms(text: str) -> dict[str, float]:
    """Weighted query terms: the text's words, plus synonym expansions at a lower weight.
    A term reached several ways weighs its best way plus a share of the others."""
    sources: dict[str, list[float]] = {}
    for word in _words(text):
        for term, weight in _word_terms(word):
            if term in sources:
                sources[term].append(weight)
            else:
                sources[term] = [weight]
    terms = {}
    for term, weights in sources.items():
        if len(weights) == 1:
            terms[term] = weights[0]
        else:
            weights.sort(reverse=True)
            terms[term] = min(WEIGHT_CAP, weights[0] + WEIGHT_SUPPORT * sum(weights[1:]))
    return terms


def split_sentences(text: str) -> list[str]:
    """Duty text → sentences, without numbering ("（三）") and empty pieces."""
    out = []
    for piece in SENTENCE_SPLIT.split(text):
        piece = NUMBERING.sub("", piece).strip(" ，,、：:")
        if piece:
            out.append(piece)
    return out


def _clauses(sentence: str) -> list[str]:
    return [c.strip() for c in CLAUSE_SPLIT.split(sentence) if len(c.strip()) >= 4]


def _name_variants(name: str) -> list[str]:
    """指挥联络处(总值班室) → 指挥联络处, 总值班室; 市政府督查室 → also 督查室."""
    variants = []
    inner = PARENTHESIS.findall(name)
    outer = PARENTHESIS.sub("", name).strip()
    for candidate in (outer, *inner):
        candidate = candidate.strip()
        if candidate:
            variants.append(candidate)
            for prefix in ("市政府", "市人民政府", "市"):
                if candidate.startswith(prefix) and len(candidate) - len(prefix) >= 3:
                    variants.append(candidate[len(prefix) :])
                    break
            if candidate.endswith("人民政府") and len(candidate) >= 7:
                variants.append(candidate[: -len("人民政府")])  # 和平区人民政府 → 和平区
    return variants


# --- the index ------------------------------------------------------------------------------


class RoutingIndex:
    """BM25 over duty sentences, aggregated per target. Build once, route many times."""

    def __init__(self) -> None:
        self.targets: list[Target] = []
        self.docs: list[_Doc] = []
        self.postings: dict[str, list[tuple[int, float]]] = {}
        self.idf: dict[str, float] = {}
        self.avg_length = 1.0
        self.names: list[tuple[str, int]] = []
        self._names_pattern: re.Pattern | None = None
        # Two attached offices may both have a 综合处: a name can belong to several targets.
        self._name_owners: dict[str, list[int]] = {}
        self.boilerplate: list[str] = []

    # building

    @classmethod
    def build(
        cls,
        targets: list[Target],
        *,
        shared: list[str] = (),
        learned: list[Learned] = (),
        catalogue: Catalogue | bool | None = True,
        department_targets: bool = False,
    ) -> RoutingIndex:
        """`targets` are the units; `shared` the organization's main duties (each clause is
        handed to the unit whose duties it matches best); `learned` past corrections.
        `catalogue` is the department catalogue (True: the built-in one; None/False: none);
        with `department_targets` its departments that no external target stands for become
        external targets of their own (keyed by name), as when routing against a regulation
        file with no directory of handling units."""
        index = cls()
        if catalogue is True:
            catalogue = builtin_catalogue()
        catalogue = catalogue or None
        index.targets, department_of = _with_departments(
            list(targets), catalogue, department_targets
        )
        position = {target.key: i for i, target in enumerate(index.targets)}
        add_terms(
            variant
            for target in index.targets
            for name in (target.name, *target.other_names)
            for variant in _name_variants(name.split("/")[-1])
        )
        if catalogue:
            # Cut the catalogue's names and everyday words whole (网约车, not 网 约车).
            add_terms(n for dep in catalogue.departments for n in dep.names)
            add_terms(w for dep in catalogue.departments for duty in dep.duties for w in duty.words)

        sentences: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for i, target in enumerate(index.targets):
            for sentence in target.sentences:
                for piece in split_sentences(sentence):
                    sentences[i].append((piece, WEIGHT_OWN))

        # Boilerplate: the same sentence in several targets.
        holders: dict[str, set[int]] = defaultdict(set)
        for i, items in sentences.items():
            for text, _weight in items:
                holders[text].add(i)
        index.boilerplate = sorted(
            text for text, owners in holders.items() if len(owners) >= BOILERPLATE_MIN_TARGETS
        )
        dropped = set(index.boilerplate)
        for i in sentences:
            sentences[i] = [(t, w) for t, w in sentences[i] if t not in dropped]

        index._hand_down_attached(sentences, position)
        catalogue_docs = index._catalogue_docs(catalogue, department_of, sentences)

        for i, target in enumerate(index.targets):
            names = [v for n in (target.name, *target.other_names) for v in _name_variants(n)]
            names = [part for n in names for part in n.split("/")[-1].split("、")]
            sentences[i].append(("、".join(dict.fromkeys(names)), WEIGHT_NAME))
            for name in dict.fromkeys(names):
                if len(name) >= 3:
                    index.names.append((normalize(name), i))
        index.names.sort(key=lambda item: (-len(item[0]), item[1]))
        if index.names:
            # Alternatives longest first: at each position the longest name matches.
            index._names_pattern = re.compile("|".join(re.escape(n) for n, _i in index.names))
            index._name_owners = defaultdict(list)
            for name, i in index.names:
                index._name_owners[name].append(i)

        index._assemble(sentences, learned=())
        if shared:
            index._hand_out_shared(shared, sentences)
        learned_docs = [
            (item.text, position[item.chosen]) for item in learned if item.chosen in position
        ]
        index._assemble(sentences, learned=learned_docs, catalogue=catalogue_docs)
        return index

    def _catalogue_docs(self, catalogue, department_of, sentences) -> list[_Doc]:
        """One document per catalogue duty (its text and everyday words) and one per
        department (its names), owned by the department's target if any and, through the
        links derived from the duties, by the divisions that coordinate it."""
        if not catalogue:
            return []
        divisions = [
            (i, target.name, [text for text, _w in sentences.get(i, [])])
            for i, target in enumerate(self.targets)
            if target.kind in INTERNAL_KINDS
        ]
        links = link_departments(catalogue, divisions)
        docs = []
        for d, department in enumerate(catalogue.departments):
            own = department_of.get(d)
            entries = [(-1, "、".join(department.names), (), WEIGHT_VIA_NAME)]
            entries += [
                (k, duty.text, duty.words, WEIGHT_VIA) for k, duty in enumerate(department.duties)
            ]
            for k, text, words, via_weight in entries:
                owners = [(own, WEIGHT_DEPARTMENT)] if own is not None and k >= 0 else []
                found = links.get((d, k), [])
                owners += [(link.target, via_weight * link.weight) for link in found]
                if not owners:
                    continue
                counts: dict[str, float] = defaultdict(float)
                if k < 0:  # names count whole: 自来水公司 says nothing about 公司
                    for name in department.names:
                        for variant in _name_variants(name):
                            counts[normalize(variant)] = 1.0
                else:
                    for token, weight in _cut(normalize(text)):
                        counts[token] += weight
                length = sum(counts.values())
                vocabulary = set()
                for word in words:
                    for token, weight in _cut(normalize(word)):
                        counts[token] = max(counts[token], weight)
                        vocabulary.add(token)
                docs.append(
                    _Doc(
                        text=text if k >= 0 else "",
                        tokens=dict(counts),
                        length=max(length, 1.0) if k >= 0 else NAMES_LENGTH,
                        owners=sorted(owners),
                        via=department.name,
                        anchors={link.target: link.anchor for link in found},
                        words=frozenset(vocabulary),
                    )
                )
        return docs

    def _hand_down_attached(self, sentences, position) -> None:
        """Give an attached office's sentences to its organs that have none of their own."""
        children: dict[int, list[int]] = defaultdict(list)
        for i, target in enumerate(self.targets):
            if target.parent in position and not sentences.get(i):
                children[position[target.parent]].append(i)
        for parent, kids in children.items():
            name_terms = {}
            for kid in kids:
                target = self.targets[kid]
                words = set()
                for name in (target.name.split("/")[-1], *target.other_names):
                    for variant in _name_variants(name):
                        words.update(query_terms(variant))
                name_terms[kid] = words
            for text, _weight in list(sentences.get(parent, [])):
                terms = query_terms(text)
                scores = {kid: sum(terms[w] for w in name_terms[kid] if w in terms) for kid in kids}
                top = max(scores.values(), default=0.0)
                for kid in kids:
                    weight = WEIGHT_ASSIGNED if top > 0 and scores[kid] == top else WEIGHT_INHERITED
                    sentences[kid].append((text, weight))

    def _hand_out_shared(self, shared, sentences) -> None:
        """Attach each clause of the main duties to the target it matches clearly best."""
        for duty in shared:
            for clause in _clauses(NUMBERING.sub("", duty)):
                scores = self._target_scores(query_terms(clause), learned=False)
                if not scores:
                    continue
                ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], kv[0]))
                best_i, (best, _) = ranked[0]
                runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
                if best > 0 and best >= 1.5 * runner_up:
                    sentences[best_i].append((clause, WEIGHT_SHARED))

    def _assemble(self, sentences, *, learned, catalogue=()) -> None:
        by_text: dict[tuple[str, bool], _Doc] = {}
        docs: list[_Doc] = []

        def doc_for(text: str, is_learned: bool) -> _Doc:
            key = (text, is_learned)
            if key not in by_text:
                # A sub-word counts less than a word here too (干部 in 离退休干部).
                counts: dict[str, float] = defaultdict(float)
                for token, weight in _cut(normalize(text)):
                    counts[token] += weight
                doc = _Doc(text, dict(counts), sum(counts.values()), [], is_learned)
                by_text[key] = doc
                docs.append(doc)
            return by_text[key]

        for i in range(len(self.targets)):
            for text, weight in sentences.get(i, []):
                doc = doc_for(text, False)
                # Keep the highest weight when a target got the same sentence twice.
                for k, (owner, w) in enumerate(doc.owners):
                    if owner == i:
                        doc.owners[k] = (owner, max(w, weight))
                        break
                else:
                    doc.owners.append((i, weight))
        for text, i in learned:
            doc = doc_for(text, True)
            if all(owner != i for owner, _w in doc.owners):
                doc.owners.append((i, WEIGHT_LEARNED))
        for doc in docs:
            doc.owners.sort()
        docs.extend(catalogue)

        n = max(len(docs), 1)
        df: dict[str, int] = defaultdict(int)
        for doc in docs:
            for token in doc.tokens:
                df[token] += 1
        self.idf = {token: math.log(1 + (n - k + 0.5) / (k + 0.5)) for token, k in df.items()}
        self.avg_length = sum(doc.length for doc in docs) / n if docs else 1.0
        # Each posting holds the document's whole BM25 term score, so routing only sums.
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for d, doc in enumerate(docs):
            norm = K1 * (1 - B + B * doc.length / self.avg_length)
            for token, tf in doc.tokens.items():
                postings[token].append((d, self.idf[token] * tf * (K1 + 1) / (tf + norm)))
        self.docs = docs
        self.postings = dict(postings)

    # routing

    def _doc_scores(self, terms: dict[str, float]) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        for term, weight in terms.items():
            for d, score in self.postings.get(term, ()):
                scores[d] += weight * score
        return scores

    def _target_scores(
        self, terms, *, learned=True
    ) -> dict[int, tuple[float, list[tuple[float, int]]]]:
        per_target: dict[int, list[tuple[float, int]]] = defaultdict(list)
        for d, score in self._doc_scores(terms).items():
            doc = self.docs[d]
            if doc.learned and not learned:
                continue
            for i, weight in doc.owners:
                per_target[i].append((score * weight, d))
        out = {}
        for i, items in per_target.items():
            items.sort(key=lambda item: (-item[0], item[1]))
            best = items[0][0]
            out[i] = (best + DAMPING * sum(s for s, _d in items[1:]), items)
        return out

    def _named(self, text: str) -> set[int]:
        """Targets whose name the text mentions; where names overlap the longest wins
        (金融信息处 is not also 信息处)."""
        if self._names_pattern is None:
            return set()
        return {i for m in self._names_pattern.finditer(text) for i in self._name_owners[m.group()]}

    def route(
        self,
        text: str,
        top: int = 3,
        *,
        kinds: tuple[str, ...] | None = None,
        scope: str | None = None,
    ) -> list[Match]:
        """The `top` targets for `text`, best first, each with the duty sentences that
        decided it. Targets with no matching word are not returned. `scope` ("internal",
        "external", "all") or `kinds` restricts the targets ranked."""
        if scope is not None:
            if scope not in SCOPES:
                raise ValueError(f"unknown scope {scope!r}")
            kinds = SCOPES[scope]
        terms = query_terms(text)
        scores = self._target_scores(terms)
        named = self._named(normalize(text))
        results = []
        for i, (score, items) in scores.items():
            if i in named:
                score += NAME_BONUS * items[0][0]
            results.append((score, i, items))
        for i in named - set(scores):
            results.append((NAME_BONUS, i, []))
        if kinds is not None:
            results = [r for r in results if self.targets[r[1]].kind in kinds]
        results.sort(key=lambda r: (-r[0], r[1]))
        matches = []
        for score, i, items in results[:top]:
            target = self.targets[i]
            because, found, via = [], [], ""
            for _s, d in items[:2]:
                doc = self.docs[d]
                found.extend(t for t in terms if t in doc.tokens and t not in found)
                if not doc.via:
                    line = LEARNED_PREFIX + doc.text if doc.learned else doc.text
                    if line not in because:
                        because.append(line)
                    continue
                # The everyday words that matched, after the duty they belong to.
                words = [t for t in terms if t in doc.words and t not in doc.text]
                words = [w for w in words if not any(w != o and w in o for o in words)]
                line = doc.text + (f"（{'、'.join(words[:4])}）" if words else "")
                if i in doc.anchors:  # reached through the department
                    via = via or doc.via
                    if doc.anchors[i] not in because:
                        because.append(doc.anchors[i])
                    line = f"{doc.via}：{line}" if doc.text else NAMED_PREFIX + doc.via
                if line not in because:
                    because.append(line)
            matches.append(
                Match(
                    key=target.key,
                    name=target.name,
                    score=round(score, 2),
                    because=because,
                    terms=found,
                    kind=target.kind,
                    via=via,
                )
            )
        return matches


def _with_departments(
    targets: list[Target], catalogue: Catalogue | None, add_missing: bool
) -> tuple[list[Target], dict[int, int]]:
    """The targets, external ones that are catalogue departments given the department's other
    names, plus (with `add_missing`) a target for every other department; and the index of the
    target of each department (department index → target index)."""
    department_of: dict[int, int] = {}
    if not catalogue:
        return targets, department_of
    by_name = {dep.name: d for d, dep in enumerate(catalogue.departments)}
    for i, target in enumerate(targets):
        if target.kind not in EXTERNAL_KINDS:
            continue
        department = catalogue.find(target.name)
        if department is None:
            continue
        d = by_name[department.name]
        if d in department_of:
            continue
        department_of[d] = i
        others = tuple(dict.fromkeys((*target.other_names, *department.names)))
        others = tuple(n for n in others if n != target.name)
        targets[i] = Target(
            key=target.key,
            name=target.name,
            other_names=others,
            sentences=target.sentences,
            kind=target.kind,
            parent=target.parent,
        )
    if add_missing:
        for d, department in enumerate(catalogue.departments):
            if d not in department_of:
                department_of[d] = len(targets)
                targets.append(
                    Target(
                        key=department.name,
                        name=department.name,
                        other_names=department.aliases,
                        kind="external",
                    )
                )
    return targets, department_of
