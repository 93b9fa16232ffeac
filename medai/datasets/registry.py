"""The data sets this book uses, each declared once.

A data set is a named folder of files. Every file has a sha256 (read from
``checksums/<name>.sha256``, the same format ``sha256sum`` writes) and an origin
URL built from the first matching entry of ``sources``. The URLs point at the
exact commits the files were copied from, so a download is byte-identical to the
copy in the shared mirror and the hash check means something.
"""

from __future__ import annotations

import difflib
import fnmatch
import posixpath
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Mapping

from ..core.errors import InputError
from .errors import UnknownDataSetError, UnknownFileError

_GH = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class DataSet:
    """One data set: where it comes from, under which licence, and its files.

    ``sources`` maps a glob over file paths to a URL template; ``{path}`` is the
    file's path inside the data set and ``{basename}`` its last component. The
    first glob that matches wins. ``checksums`` maps each file path to its sha256.
    """

    name: str
    title: str
    homepage: str
    licence: str
    citation: str
    sources: tuple[tuple[str, str], ...]
    checksums: Mapping[str, str] = field(repr=False)
    notes: str = ""
    chapters: tuple[int, ...] = ()  # the chapters that use it, planned ones included

    @property
    def files(self) -> list[str]:
        return sorted(self.checksums)

    def sha256(self, path: str) -> str:
        try:
            return self.checksums[path]
        except KeyError:
            close = _closest(path, self.checksums)
            hint = f" Did you mean {close}?" if close else ""
            raise UnknownFileError(
                f"{self.name!r} has no file {path!r}.{hint} It has {len(self.checksums)} files; "
                f"see medai.datasets.get({self.name!r}).files."
            ) from None

    def url(self, path: str) -> str:
        self.sha256(path)  # unknown paths fail here, with a helpful message
        for pattern, template in self.sources:
            if fnmatch.fnmatchcase(path, pattern):
                return template.format(path=path, basename=posixpath.basename(path))
        raise UnknownFileError(f"{self.name!r}: no download source covers {path!r}")


def _closest(path: str, names: Mapping[str, str]) -> str | None:
    hits = difflib.get_close_matches(path, list(names), n=1)
    return repr(hits[0]) if hits else None


def read_checksums(text: str) -> dict[str, str]:
    """Parse ``sha256sum`` output: ``<64 hex>  <path>`` per line."""
    table: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, path = line.partition("  ")
        if not sep or len(digest) != 64 or not path:
            raise InputError(
                f"checksum line {number} is not '<sha256>  <path>': {line!r}"
            )
        table[path.strip()] = digest.lower()
    return table


def _packaged_checksums(name: str) -> Mapping[str, str]:
    text = (
        resources.files(__package__)
        .joinpath("checksums", f"{name}.sha256")
        .read_text("utf-8")
    )
    return MappingProxyType(read_checksums(text))


def _declare(name: str, **fields) -> DataSet:
    return DataSet(name=name, checksums=_packaged_checksums(name), **fields)


_UCI_DIABETES = (
    "https://archive.ics.uci.edu/static/public/296/diabetes+130-us+hospitals+for+years+1999-2008.zip"
)
_PHYSIONET_CITATION = "Goldberger AL et al. PhysioBank, PhysioToolkit, and PhysioNet. Circulation 101(23):e215-e220 (2000)."

_DATASETS = [
    _declare(
        "pneumoniamnist-subset",
        chapters=(1, 3, 8, 10),
        title="PneumoniaMNIST 28x28 chest X-rays (reduced-train copy: train 3882, val 524, test 624)",
        homepage="https://medmnist.com/",
        licence="CC BY 4.0",
        citation=(
            "Yang J et al. MedMNIST v2. Scientific Data 10:41 (2023); "
            "Kermany DS et al. Cell 172(5):1122-1131 (2018)."
        ),
        sources=(
            (
                "*",
                f"{_GH}/varun19424/pneumonia_mnist/9361a718d67e8a40f1ef8929db8c5682add8bd70/data/{{path}}",
            ),
        ),
        notes="Not the Zenodo file: 826 fewer normal training images. Report as the reduced-train copy.",
    ),
    _declare(
        "mitbih-arrhythmia",
        chapters=(6,),
        title="MIT-BIH Arrhythmia Database, 10 records with reference beat annotations",
        homepage="https://physionet.org/content/mitdb/1.0.0/",
        licence="ODC-By 1.0",
        citation="Moody GB, Mark RG. IEEE Eng Med Biol 20(3):45-50 (2001). "
        + _PHYSIONET_CITATION,
        sources=(
            (
                "annotations_txt/*",
                f"{_GH}/EfimArtemov/EcgAnalysis/3842ab35970e0cdf124b241109dce3f95c4ca84a/data/{{basename}}",
            ),
            (
                "100.atr",
                f"{_GH}/MIT-LCP/wfdb-python/6850ad1aa0c1fcb2282b3625f767de98396cf740/sample-data/{{path}}",
            ),
            (
                "*",
                f"{_GH}/mengst/PQRST/38325069fd9f6febadcfbc563e69e888a60c7c60/{{path}}",
            ),
        ),
    ),
    _declare(
        "physionet-wfdb-samples",
        chapters=(6,),
        title="PhysioNet sample records: ICU ECG+PPG (Challenge 2015), ECG+ABP (MIMIC), 15-lead PTB ECG",
        homepage="https://physionet.org/",
        licence="ODC-By 1.0 (PhysioNet databases)",
        citation=_PHYSIONET_CITATION,
        sources=(
            (
                "*",
                f"{_GH}/MIT-LCP/wfdb-python/6850ad1aa0c1fcb2282b3625f767de98396cf740/sample-data/{{path}}",
            ),
        ),
    ),
    _declare(
        "ncbi-disease",
        chapters=(4,),
        title="NCBI Disease corpus (793 PubMed abstracts), original release and CoNLL BIO splits",
        homepage="https://www.ncbi.nlm.nih.gov/CBBresearch/Dogan/DISEASE/",
        licence="Public domain (United States Government Work)",
        citation="Dogan RI, Leaman R, Lu Z. J Biomed Inform 47:1-10 (2014). doi:10.1016/j.jbi.2013.12.006",
        sources=(
            (
                "*",
                f"{_GH}/spyysalo/ncbi-disease/5a266c6fc76fb2b5184cfa397ff0a5ecdb133aec/{{path}}",
            ),
        ),
    ),
    _declare(
        "medical-abstracts",
        chapters=(1, 4),
        title="Medical Abstracts text classification corpus, test split (2888 abstracts, 5 classes)",
        homepage="https://github.com/sebischair/Medical-Abstracts-TC-Corpus",
        licence="CC BY-SA 3.0",
        citation="Schopf T, Braun D, Matthes F. NLPIR 2022, pp. 6-15. doi:10.1145/3582768.3582795",
        sources=(
            (
                "*",
                f"{_GH}/sebischair/Medical-Abstracts-TC-Corpus/70a2d9106c724729be8b3c4ddb00d1b14ec300c8/{{path}}",
            ),
        ),
        notes="Only the test split exists here; chapters build their own stratified splits.",
    ),
    _declare(
        "uci-splice-junction",
        chapters=(1, 5),
        title="UCI splice-junction gene sequences (3190 x 60 nt, EI / IE / N)",
        homepage="https://archive.ics.uci.edu/dataset/69/molecular+biology+splice+junction+gene+sequences",
        licence="CC BY 4.0",
        citation="Towell G, Noordewier M, Shavlik J. UCI Machine Learning Repository (1992). doi:10.24432/C5M888",
        sources=(
            (
                "*",
                f"{_GH}/pauldhein/splice-junction-detector/715e34e0c271c2c000fdbd54279b91a8b7b801a4/data/{{path}}",
            ),
        ),
        notes="UCI's splice.data with one header line added.",
    ),
    _declare(
        "medquad",
        chapters=(7,),
        title="MedQuAD: 16,412 medical question-answer pairs from NIH web sites (subsets 1-9)",
        homepage="https://github.com/abachaa/MedQuAD",
        licence="CC BY 4.0",
        citation="Ben Abacha A, Demner-Fushman D. BMC Bioinformatics 20:511 (2019).",
        sources=(
            (
                "*",
                f"{_GH}/abachaa/MedQuAD/577bd37b96c02d1833b2c9eed2de9f96964e96cb/{{path}}",
            ),
        ),
    ),
    _declare(
        "uci-heart-disease",
        chapters=(8, 9, 10),
        title="UCI Heart Disease, four centres (Cleveland, Hungarian, Switzerland, VA Long Beach), 14 attributes",
        homepage="https://archive.ics.uci.edu/dataset/45/heart+disease",
        licence="CC BY 4.0",
        citation=(
            "Janosi A, Steinbrunn W, Pfisterer M, Detrano R. Heart Disease [dataset]. UCI Machine Learning "
            "Repository (1988). doi:10.24432/C52P4X; Detrano R et al. Am J Cardiol 64(5):304-310 (1989)."
        ),
        sources=(
            (
                "*",
                f"{_GH}/peter-biz/AI-Project-1/83b4c0623db63e2247ecd8e25d43c6a41e640f6d/heart+disease/{{path}}",
            ),
        ),
        notes="Missing values are '?'; chol 0 (all Switzerland rows, 49 VA rows) means missing too.",
    ),
    _declare(
        "chipseq-oct4-mafk",
        chapters=(5,),
        title="ChIP-seq peaks (200 bp, human): Oct4 3,897 + 100 test, MafK 3,900 + 100 test",
        homepage="https://github.com/BIMSBbioinfo/janggu",
        licence="GPL-3.0 (janggu resources); ENCODE data released for unrestricted use",
        citation=(
            "Kopp W et al. Deep learning for genomics using Janggu. Nat Commun 11:3488 (2020); "
            "ENCODE Project Consortium. Nature 489:57-74 (2012)."
        ),
        sources=(
            (
                "*",
                f"{_GH}/BIMSBbioinfo/janggu/5128419cf404d8f1904d46c627c0c7963356fff1/src/janggu/resources/{{path}}",
            ),
        ),
        notes="sample*.fa are Oct4 peaks, sample2*.fa MafK peaks; *_test.fa are the held-out 100 of each.",
    ),
    _declare(
        "breast-cancer-gse7390",
        chapters=(5,),
        title="GSE7390 (TRANSBIG): 198 breast cancers, 76-gene signature + clinical, time to distant metastasis",
        homepage="https://www.ncbi.nlm.nih.gov/geo/query/acc.cgi?acc=GSE7390",
        licence="Public (NCBI GEO; cite the submitters)",
        citation=(
            "Desmedt C et al. Clin Cancer Res 13(11):3207-3214 (2007); "
            "Wang Y et al. Lancet 365:671-679 (2005)."
        ),
        sources=(
            (
                "*",
                f"{_GH}/sebp/scikit-survival/v0.28.0/sksurv/datasets/data/{{path}}",
            ),
        ),
        notes="The ARFF file shipped with scikit-survival 0.28.0, unchanged.",
    ),
    _declare(
        "diabetes-130-us-hospitals",
        chapters=(4, 10),
        title="Diabetes 130-US hospitals 1999-2008: 101,766 inpatient encounters of 71,518 patients",
        homepage="https://archive.ics.uci.edu/dataset/296/diabetes+130-us+hospitals+for+years+1999-2008",
        licence="CC BY 4.0",
        citation=(
            "Strack B et al. Impact of HbA1c Measurement on Hospital Readmission Rates. BioMed Research "
            "International 2014:781670. doi:10.1155/2014/781670; Clore J et al. UCI Machine Learning "
            "Repository (2014). doi:10.24432/C5230J"
        ),
        sources=(
            # UCI serves the two tables inside one zip (where the mapping file is spelled IDS_).
            (
                "IDs_mapping.csv",
                f"{_UCI_DIABETES}#member=IDS_mapping.csv",
            ),
            ("*", f"{_UCI_DIABETES}#member={{path}}"),
        ),
        notes=(
            "Missing values are '?'; 'None' in A1Cresult/max_glu_serum means not measured. "
            "Several encounters per patient: split by patient_nbr."
        ),
    ),
    _declare(
        "goemotions",
        chapters=(7,),
        title="GoEmotions: 54k Reddit comments, 27 emotions + neutral, official train/dev/test splits",
        homepage="https://github.com/google-research/google-research/tree/master/goemotions",
        licence="CC BY 4.0",
        citation=(
            "Demszky D et al. GoEmotions: A Dataset of Fine-Grained Emotions. ACL 2020, 4040-4054. "
            "doi:10.18653/v1/2020.acl-main.372"
        ),
        sources=(
            (
                "*.tsv",
                f"{_GH}/monologg/GoEmotions-pytorch/b75f9d3a8b76bc1060687925b04ca98a1b8ea66b/data/original/{{path}}",
            ),
            (
                "emotions.txt",
                f"{_GH}/amazon-science/Glean/00f7e07e5b6dd1967d15f07a51b066997338f41e/data/goemotions/{{path}}",
            ),
            (
                "ekman_mapping.json",
                f"{_GH}/google-research/google-research/7c35f3f048c1bbf1416bf12491e4a2e528f2f988/goemotions/data/{{path}}",
            ),
            (
                "sentiment_mapping.json",
                f"{_GH}/google-research/google-research/b91598b43297db06cca27a29fe2d0442dffea029/goemotions/data/sentiment_dict.json",
            ),
        ),
        notes="The simplified release (labels chosen by at least 2 raters); multi-label.",
    ),
]

REGISTRY: Mapping[str, DataSet] = MappingProxyType({d.name: d for d in _DATASETS})


def get(name: str | DataSet) -> DataSet:
    """The declared data set called ``name`` (a ``DataSet`` passes through)."""
    if isinstance(name, DataSet):
        return name
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise UnknownDataSetError(
            f"no data set called {name!r}; known data sets: {known}"
        ) from None
