"""Chapters 9 and 10: privacy and security; fairness, transparency and robustness.

Chapter 9 takes one data set (UCI heart disease, four hospitals) through the privacy toolbox:
federated            local, pooled, FedAvg and FedProx training across hospitals; federated scaling
dp                   DP-SGD with opacus, and a loss-threshold membership-inference attack
encryption           AES-256-GCM for files at rest: key from the environment, nonce per file, name bound
records              a SQLite patient store with roles, and an HMAC-chained audit log with its verifier and a head to keep elsewhere
encrypted_inference  CKKS (TenSEAL): a logistic model scores a patient vector it cannot read

Chapter 10 asks whether a model is fair, explainable and robust:
fairness             metrics by group with bootstrap intervals (fairlearn), per-group thresholds, a reduction
attributions         Integrated Gradients, KernelSHAP, the randomisation sanity check, deletion/insertion curves
ood                  max-softmax, energy and Mahalanobis scores; out-of-distribution image sets
corruptions          blur, noise, contrast and rotation by severity; the augmentation that trains for them
compression          magnitude pruning and int8 quantisation: sparsity, size, latency
"""
