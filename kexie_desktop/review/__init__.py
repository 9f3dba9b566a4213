"""审核: validation rules run over an office's data, and explanations of warnings (PRODUCT.md,
"The reporting cycle")."""
