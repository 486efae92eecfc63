enum PathDiagramPlaceholder {}
