/// A fuzzer's input read as a header byte and the bytes a client sends. The
/// header picks one of `choices` setups (`choice`) and how the bytes are cut
/// into reads (`chunks`): all at once, one byte at a time, or pieces whose
/// sizes follow a sequence the header seeds. The same input always gives the
/// same cuts.
struct FuzzInput {
    let choice: Int
    let payload: [UInt8]
    let chunks: [ArraySlice<UInt8>]

    init(_ input: UnsafeRawBufferPointer, choices: Int) {
        let header = Int(input.first ?? 0)
        choice = header % choices
        payload = Array(input.dropFirst())
        let cutting = header / choices
        var chunks: [ArraySlice<UInt8>] = []
        var start = 0
        var state = UInt32(truncatingIfNeeded: cutting) &* 2_654_435_761 | 1
        while start < payload.count {
            let size: Int
            switch cutting {
            case 0: size = payload.count
            case 1: size = 1
            default:
                // xorshift32: cheap, and the same sizes for the same header.
                state ^= state << 13
                state ^= state >> 17
                state ^= state << 5
                size = 1 + Int(state % UInt32(cutting * 4))
            }
            let end = min(payload.count, start + size)
            chunks.append(payload[start..<end])
            start = end
        }
        self.chunks = chunks
    }
}
