"""Scoring a patient the server never sees: CKKS homomorphic encryption with TenSEAL.

The hospital encrypts a standardised feature vector with its secret key and sends the ciphertext
and a public context; the server computes the logistic model's logit (a dot product plus a bias)
on the ciphertext and returns an encrypted result; only the hospital can decrypt it. CKKS works on
approximate real numbers, so the decrypted logit differs from the plain one by a small error.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import InputError


def ckks_context(poly_modulus_degree: int = 8192, scale_bits: int = 40):
    """A CKKS context with the keys a dot product needs (the secret key stays with its owner)."""
    import tenseal as ts

    context = ts.context(ts.SCHEME_TYPE.CKKS, poly_modulus_degree=poly_modulus_degree,
                         coeff_mod_bit_sizes=[60, scale_bits, scale_bits, 60])  # fmt: skip
    context.global_scale = 2**scale_bits
    context.generate_galois_keys()
    return context


def encrypt_patient(context, features: np.ndarray):
    """A CKKS ciphertext of one standardised feature vector."""
    import tenseal as ts

    x = np.asarray(features, dtype=float).ravel()
    if not np.isfinite(x).all():
        raise InputError("features must be finite (impute and standardise first)")
    return ts.ckks_vector(context, x.tolist())


def encrypted_logit(ciphertext, weights: np.ndarray, bias: float):
    """The server's side: w . x + b computed on the ciphertext (it never sees x or the result)."""
    w = np.asarray(weights, dtype=float).ravel()
    if ciphertext.size() != len(w):
        raise InputError(f"the ciphertext holds {ciphertext.size()} features, the model has {len(w)}")
    return ciphertext.dot(w.tolist()) + float(bias)


def decrypt_logit(result) -> float:
    """The hospital's side: the decrypted logit."""
    return float(result.decrypt()[0])


def send_to_server(context, ciphertext):
    """What leaves the hospital: the context without its secret key, and the ciphertext bytes, as the
    server rebuilds them (so a test can check the server truly cannot decrypt)."""
    import tenseal as ts

    public = ts.context_from(context.serialize(save_secret_key=False))
    payload = ciphertext.serialize()
    return public, ts.ckks_vector_from(public, payload), len(payload)


def back_to_hospital(context, result):
    """The server's encrypted answer, reattached to the hospital's context (which holds the secret key)."""
    import tenseal as ts

    return ts.ckks_vector_from(context, result.serialize())
