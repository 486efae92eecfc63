/// A min-heap of (expiry time, entry id), so expiring the conntrack table costs what
/// expires rather than a scan of every entry per packet (a long capture holds many
/// thousands). Records are lazy: an entry whose timeout was extended keeps its old record,
/// which is re-queued at the new time when it comes up.
struct ExpiryQueue: Sendable {
    private var heap: [(time: Double, id: Int)] = []

    var isEmpty: Bool { heap.isEmpty }
    var earliest: Double? { heap.first?.time }

    mutating func push(_ time: Double, _ id: Int) {
        heap.append((time, id))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].time < heap[parent].time else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (time: Double, id: Int)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].time < heap[smallest].time { smallest = left }
            if right < heap.count, heap[right].time < heap[smallest].time { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
