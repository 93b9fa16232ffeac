"""Data sets, the scikit-learn way: ``load_<name>()`` reads real data, ``make_<name>()`` simulates.

Every function returns a ``DataBundle`` (``data``, ``target``, ``feature_names``,
``target_names``, ``frame``, ``description``, ``licence``, ``citation``).
``path(name)`` is the verified local folder of a registered data set: the cache
(``$MEDAI_DATA_DIR``, default ``~/.cache/medai``), then the read-only mirrors in
``$MEDAI_DATA_MIRROR``, then a download from the origin checked against its sha256.
``catalogue()`` lists what is registered and where it is found.

Real data (``load_*``)                     registered name
  load_pneumoniamnist(split)               pneumoniamnist-subset
  load_mitbih(record)                      mitbih-arrhythmia
  load_physionet_sample(name)              physionet-wfdb-samples
  load_ncbi_disease(split)                 ncbi-disease
  load_medical_abstracts()                 medical-abstracts
  load_splice_junction()                   uci-splice-junction
  load_medquad()                           medquad
  load_uci_heart_disease(sites)            uci-heart-disease
  load_chipseq_oct4_mafk(split)            chipseq-oct4-mafk
  load_breast_cancer_gse7390()             breast-cancer-gse7390
  load_goemotions(split)                   goemotions
  load_diabetes_encounters()               diabetes-130-us-hospitals
  load_diabetes_code_names()               diabetes-130-us-hospitals (what the admission/discharge ids mean)
Your own files
  read_wfdb_record(header)                 a WFDB record (.hea + signal files), checked
Written for this book (in the package)
  load_handwritten_notes(split)            clinical notes with marked identifiers (de-identification test)
  load_triage_messages(split)              messages to an assistant: emergencies, negations, distress (first triage test)
  load_triage_training()                   about 10,600 messages in over 40 languages to train triage and the feeling check
  load_triage_evaluation(version)          messages written outside the project: frozen triage sets A-D (spent), E (the test)
  load_deid_evaluation(which)              documents written outside the project: de-identification sets A, C-H (each a test once)
  load_deid_training_documents()           documents written to train the de-identification tagger
  load_clinical_keep_list()                766 clinical terms and 348 note lines a de-identifier must leave alone
  load_lay_questions()                     lay rephrasings of held-out MedQuAD questions (retrieval test)
  load_off_topic_questions()               requests the assistant should decline (abstention test)
Simulated data (``make_*``), called SYNTHETIC or SIMULATED wherever shown
  make_chest_phantom(n)                    images with nodule masks
  make_synthetic_notes(n)                  clinical notes with planted identifiers
  make_faker_notes(n, seed, prose)         notes with Faker's identifiers in 30 locales and real medical sentences
  make_glucose_cohort(patients, days)      simglucose virtual type-1 diabetes patients
"""

from .assistant_questions import load_lay_questions, load_off_topic_questions
from .bundle import DataBundle
from .catalogue import catalogue
from .chipseq import CHIPSEQ_CLASSES, load_chipseq_oct4_mafk
from .errors import (
    CacheNotWritableError,
    ChecksumError,
    DataError,
    DataNotFoundError,
    UnknownDataSetError,
    UnknownFileError,
)
from .glucose_sim import GLUCOSE_PATIENTS, make_glucose_cohort
from .diabetes import load_diabetes_code_names, load_diabetes_encounters
from .goemotions import load_goemotions
from .gse7390 import load_breast_cancer_gse7390
from .faker_notes import make_faker_notes
from .handwritten_notes import load_clinical_keep_list, load_deid_evaluation, load_deid_training_documents, load_handwritten_notes
from .heart import HEART_SITES, load_uci_heart_disease
from .medquad import load_medquad
from .phantom import make_chest_phantom
from .physionet import (
    MITBIH_PACED,
    MITBIH_RECORDS,
    WFDB_SAMPLES,
    Annotations,
    EcgRecord,
    load_mitbih,
    load_physionet_sample,
    read_wfdb_record,
)
from .pneumoniamnist import PNEUMONIA_CLASSES, load_pneumoniamnist
from .registry import REGISTRY, DataSet, get
from .resolve import cache_dir, mirror_dirs, path
from .splice import SPLICE_CLASSES, load_splice_junction
from .synthetic_notes import make_synthetic_notes
from .text import NCBI_TAGS, Sentence, load_medical_abstracts, load_ncbi_disease
from .triage_evaluation import load_triage_evaluation
from .triage_messages import TRIAGE_LABELS, load_triage_messages
from .triage_training import load_triage_training

__all__ = [
    "CacheNotWritableError",
    "CHIPSEQ_CLASSES",
    "GLUCOSE_PATIENTS",
    "HEART_SITES",
    "MITBIH_PACED",
    "MITBIH_RECORDS",
    "NCBI_TAGS",
    "PNEUMONIA_CLASSES",
    "REGISTRY",
    "SPLICE_CLASSES",
    "WFDB_SAMPLES",
    "Annotations",
    "ChecksumError",
    "DataBundle",
    "DataError",
    "DataNotFoundError",
    "DataSet",
    "EcgRecord",
    "Sentence",
    "UnknownDataSetError",
    "UnknownFileError",
    "cache_dir",
    "catalogue",
    "get",
    "load_breast_cancer_gse7390",
    "load_handwritten_notes",
    "load_triage_messages",
    "load_triage_training",
    "load_triage_evaluation",
    "load_deid_evaluation",
    "load_deid_training_documents",
    "load_clinical_keep_list",
    "make_faker_notes",
    "load_goemotions",
    "load_diabetes_encounters",
    "load_diabetes_code_names",
    "load_lay_questions",
    "load_off_topic_questions",
    "TRIAGE_LABELS",
    "load_chipseq_oct4_mafk",
    "load_medical_abstracts",
    "load_medquad",
    "load_mitbih",
    "load_ncbi_disease",
    "load_physionet_sample",
    "load_pneumoniamnist",
    "load_splice_junction",
    "load_uci_heart_disease",
    "make_chest_phantom",
    "make_glucose_cohort",
    "make_synthetic_notes",
    "mirror_dirs",
    "path",
    "read_wfdb_record",
]
