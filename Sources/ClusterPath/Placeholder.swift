// Filled in by the cross-node work.
enum ClusterPathPlaceholder {}
