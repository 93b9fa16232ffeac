"""Chapter 2, theory: binary cross-entropy, its gradient, gradient descent.

backprop softmax cross-entropy's gradient and a two-layer network backpropagated by hand
bce      naive and stable BCE, closed-form / autograd / finite-difference gradients, extreme logits
logreg   logistic regression three ways (NumPy by hand, torch SGD, scikit-learn), repeated CV
shapes   layer arithmetic and per-layer tables of a CNN
"""
