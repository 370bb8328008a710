"""outcore.FeatureHasher against scikit-learn's FeatureHasher, matrix for matrix."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher as SkHasher
from sklearn.utils import murmurhash3_32

from outcore.transform import FeatureHasher

WORDS = ["dog", "cat", "élan", "naïve", "", "x" * 100, "日本語", "b=c", "a", "the"]


def same(a, b):
    assert isinstance(a, sp.csr_matrix)
    assert a.shape == b.shape and a.dtype == b.dtype
    assert a.has_sorted_indices
    b = b.copy()
    b.sort_indices()
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.data, b.data)


def random_string_samples(rng, n_samples, max_len=12):
    return [[WORDS[i] + str(j) for i, j in zip(rng.integers(0, len(WORDS), k), rng.integers(0, 50, k))]
            for k in rng.integers(0, max_len, n_samples)]


@pytest.mark.parametrize("n_features", [1, 2, 7, 1024, 2**20, 2**31 - 1])
@pytest.mark.parametrize("alternate_sign", [True, False])
def test_string_input_matches_sklearn(n_features, alternate_sign):
    rng = np.random.default_rng(n_features)
    samples = random_string_samples(rng, 300)
    samples[3] = []  # an empty sample is an all-zero row
    ours = FeatureHasher(n_features, input_type="string", alternate_sign=alternate_sign).transform(samples)
    theirs = SkHasher(n_features, input_type="string", alternate_sign=alternate_sign).transform(samples)
    same(ours, theirs)


@pytest.mark.parametrize("input_type", ["dict", "pair"])
def test_dict_and_pair_inputs_match_sklearn_with_numbers_strings_and_zeros(input_type):
    rng = np.random.default_rng(1)
    samples = []
    for _ in range(200):
        d = {}
        for _ in range(rng.integers(0, 8)):
            key = WORDS[rng.integers(0, len(WORDS))] + str(rng.integers(0, 5))
            kind = rng.integers(0, 4)
            d[key] = (float(rng.normal()) if kind == 0 else int(rng.integers(-3, 4)) if kind == 1
                      else 0 if kind == 2 else WORDS[rng.integers(0, len(WORDS))])
        samples.append(d)
    raw = samples if input_type == "dict" else [list(d.items()) for d in samples]
    ours = FeatureHasher(4096, input_type=input_type).transform(raw)
    theirs = SkHasher(4096, input_type=input_type).transform(raw)
    same(ours, theirs)


def test_pairs_with_duplicate_features_are_summed():
    raw = [[("a", 1.0), ("a", 2.0), ("b", -1.0)], [("z", "y"), ("z", "y")]]
    same(FeatureHasher(16, input_type="pair").transform(raw), SkHasher(16, input_type="pair").transform(raw))


def test_float32_dtype_and_generators_are_accepted():
    rng = np.random.default_rng(2)
    samples = random_string_samples(rng, 50)
    ours = FeatureHasher(64, input_type="string", dtype=np.float32).transform(iter(samples))
    theirs = SkHasher(64, input_type="string", dtype=np.float32).transform(iter(samples))
    same(ours, theirs)


def test_character_mode_hashes_each_character_like_sklearn_on_lists_of_characters():
    texts = ["hello", "", "naïve café", "日本語"]
    ours = FeatureHasher(256, input_type="char").transform(texts)
    theirs = SkHasher(256, input_type="string").transform([list(t) for t in texts])
    same(ours, theirs)


def test_bare_strings_are_rejected_in_string_mode_and_empty_input_raises():
    with pytest.raises(ValueError, match="single string"):
        FeatureHasher(8, input_type="string").transform(["abc"])
    with pytest.raises(ValueError, match="empty"):
        FeatureHasher(8, input_type="string").transform([])
    with pytest.raises(TypeError, match="feature names must be strings"):
        FeatureHasher(8, input_type="string").transform([[1]])
    with pytest.raises(ValueError, match="n_features"):
        FeatureHasher(0).transform([{}])


def test_murmurhash_matches_sklearn_including_minimum_hash_rule():
    # The column rule for h = -2**31 equals abs(-2**31) % n_features; check the
    # general rule on many keys against sklearn's own murmurhash3_32.
    from outcore import _core  # the raw hash is not public API; only this test looks at it

    for i in range(2000):
        key = f"key{i}".encode()
        assert _core.murmurhash3_32(key, 0) == murmurhash3_32(key, seed=0)
        assert _core.murmurhash3_32(key, 42) == murmurhash3_32(key, seed=42)


def test_estimator_protocol_and_pipeline():
    from sklearn.base import clone
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline

    hasher = FeatureHasher(n_features=32, input_type="string")
    assert hasher.get_params()["n_features"] == 32
    hasher.set_params(n_features=64)
    assert clone(hasher).n_features == 64
    rng = np.random.default_rng(3)
    samples = random_string_samples(rng, 40)
    y = np.arange(40) % 2
    pipe = make_pipeline(FeatureHasher(64, input_type="string"), SGDClassifier(random_state=0)).fit(samples, y)
    assert pipe.predict(samples).shape == (40,)
    same(hasher.fit_transform(samples), SkHasher(64, input_type="string").transform(samples))


def test_readme_seed_example_eight_words_into_three_features():
    words = [["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog"]]
    same(FeatureHasher(3, input_type="string").transform(words), SkHasher(3, input_type="string").transform(words))


class Token(str):
    """A str subclass: not a compact string, and its methods say other things than its text."""

    def encode(self, *args, **kwargs):
        return b"not-" + str.encode(self, *args, **kwargs)

    def __str__(self):
        return "other"


def both_string(samples, n_features=2**20):
    return (FeatureHasher(n_features, input_type="string").transform(samples),
            SkHasher(n_features, input_type="string").transform(samples))


def test_token_lists_of_every_kind_of_str_match_sklearn():
    # ASCII tokens are read from the str's own buffer; the others take the
    # UTF-8 path. Each kind on its own, then all mixed within rows.
    ascii_tokens = ["dog", "cat", "", "x" * 100, "a b", "tab\there", "\x7f", "\x00nul"]
    wide = ["élan", "naïve", "日本語", "😀", "ÿ", "Ωmega", "mixé ascii"]
    subclassed = [Token(t) for t in ascii_tokens + wide]
    raw = [t.encode() for t in ascii_tokens + wide]
    lengths = ["".join(chr(c) for c in range(97, 97 + k)) for k in range(30)]  # every tail length
    kinds = [ascii_tokens, wide, subclassed, raw, lengths]
    rng = np.random.default_rng(5)
    mixed = [[kinds[k][i % len(kinds[k])] for k, i in zip(rng.integers(0, len(kinds), n), rng.integers(0, 100, n))]
             for n in rng.integers(0, 20, 400)]
    for samples in [[k] for k in kinds] + [mixed, [ascii_tokens * 3, wide * 2]]:
        for n_features in (16, 2**20):
            same(*both_string(samples, n_features))


def test_a_str_subclass_is_hashed_by_its_text_not_its_methods():
    ours, theirs = both_string([[Token("dog")], ["dog"]], 1024)
    same(ours, theirs)
    np.testing.assert_array_equal(ours[0].toarray(), ours[1].toarray())


def test_empty_samples_tuples_and_generators_within_a_list_match_sklearn():
    # The output is sized from the list and tuple samples; a generator sample
    # is not counted and must still fit, as must a tuple of samples.
    rng = np.random.default_rng(6)
    samples = random_string_samples(rng, 200, max_len=30)
    rows = [[], (), samples[0], tuple(samples[1]), iter(samples[2]), [], samples[3] * 50]
    expected_rows = [[], [], samples[0], samples[1], samples[2], [], samples[3] * 50]
    ours = FeatureHasher(2**18, input_type="string").transform(rows)
    theirs = SkHasher(2**18, input_type="string").transform(expected_rows)
    same(ours, theirs)
    assert ours[0].nnz == 0 and ours[5].nnz == 0
    same(*both_string(tuple(samples)))
    generated = [iter(s) for s in samples]
    same(FeatureHasher(64, input_type="string").transform(generated),
         SkHasher(64, input_type="string").transform(samples))


def test_duplicate_tokens_sum_to_their_count():
    ours, theirs = both_string([["dog"] * 40 + ["cat"] * 3 + ["dog"]], 8)
    same(ours, theirs)
    assert sorted(np.abs(ours.data)) == [3, 41]


def test_a_non_str_token_or_an_unencodable_str_is_refused_like_sklearn():
    for bad in (["dog", 1], ["dog", None], ["dog", 2.5], [b"ok", ["nested"]]):
        with pytest.raises(TypeError, match="feature names must be strings"):
            FeatureHasher(8, input_type="string").transform([["fine"], bad])
        with pytest.raises(TypeError):
            SkHasher(8, input_type="string").transform([["fine"], bad])
    with pytest.raises(UnicodeEncodeError):
        FeatureHasher(8, input_type="string").transform([["ok", "lone \ud800 surrogate"]])
    with pytest.raises(UnicodeEncodeError):
        SkHasher(8, input_type="string").transform([["ok", "lone \ud800 surrogate"]])
