"""Chapter 9, privacy and security: one data set (UCI heart disease, four hospitals) through the toolbox.

federated            local, pooled, FedAvg and FedProx training across hospitals; federated scaling
dp                   DP-SGD with opacus, and a loss-threshold membership-inference attack
encryption           AES-256-GCM for files at rest: key from the environment, nonce per file, name bound
records              a SQLite patient store with roles, and a hash-chained audit log with its verifier
encrypted_inference  CKKS (TenSEAL): a logistic model scores a patient vector it cannot read
"""
