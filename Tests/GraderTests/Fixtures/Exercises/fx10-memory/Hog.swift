func hog() -> Int {
    var blocks: [[Double]] = []
    for _ in 0..<10_000 { blocks.append([Double](repeating: 1, count: 1 << 20)) }   // 80 GB in the end
    return blocks.count
}
