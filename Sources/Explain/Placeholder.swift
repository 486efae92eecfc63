enum ExplainPlaceholder {}
