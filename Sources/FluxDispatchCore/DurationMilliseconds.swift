extension Duration {
    /// The duration in milliseconds, fractions included: what the store's `duration_ms`, the log
    /// lines and the benchmarks report. (`Duration` itself offers only its two integer components.)
    public var inMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
