#!/usr/bin/env python3
"""Writes tests/fixtures/bleu.txt: corpus BLEU and chrF as sacreBLEU (PyPI) computes them with its
defaults, for tests/data/test_bleu.c.

    bench/setup-venv.sh sacrebleu      # or: bench/.venv/bin/pip install sacrebleu
    bench/.venv/bin/python tests/gen/gen_bleu_fixtures.py [TATOEBA_FRA_TXT_GZ]

The realistic case takes 50 French sentences of ../shared/data/tatoeba-eng-fra/fra.txt.gz (read in
place, chosen by a seeded generator) as references and makes each hypothesis from its reference by
a deterministic edit (a word dropped, two swapped, one replaced, repeated, the sentence cut, ...).

File format, one item a line:
    # comment
    signature bleu|chrf SIGNATURE
    case NAME             starts a corpus
    hyp TEXT / ref TEXT   one pair: a hyp line then its ref line
    htok TEXT / rtok TEXT sacreBLEU's 13a tokenization of the hyp / ref before it (of text.rstrip())
    bleu SCORE P1 P2 P3 P4 BP RATIO HYP_LEN REF_LEN
    chrf SCORE
    end                   ends the case
TEXT is UTF-8 with escapes: \\\\ for a backslash, \\n \\t \\r, and \\xHH for any other byte below
0x20, for 0x7f and for a space that would end the line. Floats are Python's repr (exact).
"""
import gzip
import os
import random
import sys

import sacrebleu
from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "bleu.txt")
TATOEBA = os.path.join(HERE, "..", "..", "..", "shared", "data", "tatoeba-eng-fra", "fra.txt.gz")


def esc(s):
    out = []
    for i, ch in enumerate(s):
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7F or (ch == " " and i == len(s) - 1):
            out.append("\\x%02x" % o)
        else:
            out.append(ch)
    return "".join(out)


NNBSP = "\u202f"  # narrow no-break space, French typography before ? ! ; :
NBSP = "\u00a0"

CASES = [
    ("perfect", [("Le petit chat est assis sur le tapis rouge.",
                  "Le petit chat est assis sur le tapis rouge.")]),
    ("zero", [("Bonjour tout le monde", "Il pleut beaucoup aujourd'hui")]),
    # three tokens each: no 4-gram in the corpus, so BLEU is 0 even on a perfect match
    ("short_perfect", [("Je suis ici", "Je suis ici")]),
    ("case_sensitive", [("The Cat sat on the Mat today .", "the cat sat on the mat today.")]),
    ("empty_hyp", [("", "Le chat dort sur le canapé."),
                   ("Le chien dort dans le jardin.", "Le chien dort dans le jardin vert.")]),
    ("empty_ref", [("Une phrase de trop est ici.", ""),
                   ("Nous partons demain matin.", "Nous partons demain matin.")]),
    ("empty_both", [("Il fait beau.", "Il fait très beau."), ("", ""),
                    ("Elle lit un livre.", "Elle lit un bon livre.")]),
    ("all_empty", [("", ""), ("", "")]),
    ("hyp_longer", [("Je pense que nous devrions vraiment partir maintenant, tout de suite, vite.",
                     "Je pense que nous devrions partir.")]),
    ("hyp_shorter", [("Nous devrions partir.",
                      "Je pense que nous devrions partir maintenant avant la nuit.")]),
    ("unicode", [
        ("C’est l’été, n’est-ce pas" + NNBSP + "?", "C’est l’été, n’est-ce pas" + NNBSP + "?"),
        ("Vraiment" + NNBSP + "! Il a dit" + NNBSP + ": «" + NBSP + "Où est l’hôtel" + NBSP + "»",
         "Vraiment" + NNBSP + "! Il a dit" + NNBSP + ": «" + NBSP + "Où se trouve l’hôtel" + NBSP + "»"),
        ("Œuvre, cœur, ça, garçon, déjà… — ÉLÈVE", "Œuvre, coeur, ça, garcon, déjà... - élève"),
        ("Zoë a mangé 😀 des crêpes à Noël ; 東京 aussi.", "Zoë a mangé des crêpes 😀 à Noël ; 東京 aussi."),
        ("Il m'a dit qu'il viendrait.", "Il m’a dit qu’il viendrait."),
    ]),
    ("numbers", [
        ("Il a payé 1,000.50 dollars le 12.03.2020.", "Il a payé 1,000.50 dollars le 12.03.2020."),
        ("Entre 10-20 personnes, soit -5 % ou 3.14.", "Entre 10 - 20 personnes, soit -5% ou 3,14."),
        ("Version 2.6.0-beta, 1.000 et 2,5 ; 7-8.", "Version 2.6.0 beta, 1 000 et 2.5 ; 7-8."),
        ("The U.S.A. e.g., etc. and 4.,5 or ,6 .7", "The U.S.A., e.g. etc. and 4., 5 or, 6 .7"),
        ("a.b,c 1.a a.1 1,a a,1 -1 1- 1-1 a-1 1--2", "a.b, c 1. a a.1 1, a a,1 -1 1 - 1-1 a-1 1--2"),
    ]),
    ("punctuation", [
        ('He said "hello" (twice) & left; [ok]? {x} <b> a/b #1 $5 @me ~ ^_^ `q` |p|',
         'He said "hello" (twice) and left; [ok]? {x} <b> a/b #1 $5 @me ~ ^_^ `q` |p|'),
        ("&quot;quoted&quot; &amp;amp; &lt;tag&gt; &amp;lt; &unknown;",
         '"quoted" &amp; <tag> &lt; &unknown;'),
        ("<skipped> word line-\nbreak multi\nline", "word linebreak multi line"),
        ("  leading and trailing   \t ", "leading and trailing"),
        ("tab\there\x1cfile\u3000wide\u2028sep\x85nel\u00a0nb", "tab here file wide sep nel nb"),
        ("don't won't it's 'quoted' ''double''", "do not won't it's 'quoted' \"double\""),
        ("Ends with a tokenized period .", "Ends with a tokenized period."),
        # a dash before the final line end stays: text.rstrip() comes before 13a's "-\n" rule
        ("On se voit au bord de la mer-\n", "On se voit au bord de la mer -"),
        ("...!!! ??? ,,, ;;; --- ___ \\back\\slash", "... !!! ??? ,,, ;;; --- ___ \\back\\slash"),
    ]),
    ("chrf_short", [("a", "a"), ("ab", "abc"), ("x y z", "xyz"), ("abcdef", "ab")]),
    ("repeats", [("the the the the the the the.", "The cat is on the mat with the hat.")]),
]


def tatoeba_pairs(path, n=50, seed=20):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        fr = [line.rstrip("\n").split("\t")[1] for line in f if "\t" in line]
    rng = random.Random(seed)
    refs = []
    seen = set()
    while len(refs) < n:
        s = fr[rng.randrange(len(fr))]
        if s not in seen and len(s.split()) >= 3:
            seen.add(s)
            refs.append(s)
    vocab = sorted({w for s in refs for w in s.split()})
    pairs = []
    for i, ref in enumerate(refs):
        w = ref.split()
        op = i % 8
        if op == 0:
            hyp = list(w)
        elif op == 1:  # a word dropped
            k = rng.randrange(len(w))
            hyp = w[:k] + w[k + 1:]
        elif op == 2:  # two neighbours swapped
            k = rng.randrange(len(w) - 1)
            hyp = list(w)
            hyp[k], hyp[k + 1] = hyp[k + 1], hyp[k]
        elif op == 3:  # a word replaced
            hyp = list(w)
            hyp[rng.randrange(len(w))] = vocab[rng.randrange(len(vocab))]
        elif op == 4:  # a word repeated: longer than the reference
            k = rng.randrange(len(w))
            hyp = w[:k + 1] + w[k:]
        elif op == 5:  # cut short
            hyp = w[:max(1, len(w) // 2)]
        elif op == 6:  # lower case, final punctuation dropped
            hyp = [x.lower() for x in w]
            if hyp[-1] and hyp[-1][-1] in ".!?":
                hyp[-1] = hyp[-1][:-1]
        else:  # two words replaced
            hyp = list(w)
            for _ in range(2):
                hyp[rng.randrange(len(w))] = vocab[rng.randrange(len(vocab))]
        pairs.append((" ".join(hyp), ref))
    return pairs


def write_case(out, name, pairs):
    hyps = [h for h, _ in pairs]
    refs = [r for _, r in pairs]
    tok = Tokenizer13a()
    b = BLEU().corpus_score(hyps, [refs])
    c = CHRF().corpus_score(hyps, [refs])
    out.append("case %s" % name)
    for h, r in pairs:
        out.append("hyp %s" % esc(h))
        out.append("ref %s" % esc(r))
        out.append("htok %s" % esc(tok(h.rstrip())))
        out.append("rtok %s" % esc(tok(r.rstrip())))
    out.append("bleu " + " ".join(repr(float(x)) for x in [b.score] + list(b.precisions) +
                                  [b.bp, b.ratio]) + " %d %d" % (b.sys_len, b.ref_len))
    out.append("chrf %r" % float(c.score))
    out.append("end")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else TATOEBA
    bleu, chrf = BLEU(), CHRF()
    bleu.corpus_score(["a"], [["a"]])
    chrf.corpus_score(["a"], [["a"]])
    out = [
        "# rnnc BLEU and chrF fixture, generated by tests/gen/gen_bleu_fixtures.py",
        "# do not edit; regenerate with: bench/.venv/bin/python tests/gen/gen_bleu_fixtures.py",
        "# reference: sacrebleu %s (Python %d.%d), BLEU() and CHRF() with their defaults"
        % (sacrebleu.__version__, sys.version_info[0], sys.version_info[1]),
        "# case tatoeba: French sentences of tatoeba.org (CC BY 2.0, via manythings.org/anki)",
        "signature bleu %s" % bleu.get_signature(),
        "signature chrf %s" % chrf.get_signature(),
    ]
    for name, pairs in CASES:
        write_case(out, name, pairs)
    pairs = tatoeba_pairs(path)
    write_case(out, "tatoeba", pairs)
    for i in range(8):  # each edit alone
        write_case(out, "tatoeba_%d" % i, [pairs[i]])
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")
    print("wrote %s (%d cases)" % (os.path.relpath(OUT), len(CASES) + 9))


if __name__ == "__main__":
    main()
