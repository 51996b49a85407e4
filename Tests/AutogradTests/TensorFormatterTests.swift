import XCTest
@testable import Autograd

/// The printer must reproduce PyTorch's `repr` character for character: lessons show both side
/// by side. Every expected string here was printed by PyTorch 2.x for the same values.
final class TensorFormatterTests: XCTestCase {
    private func describe(_ values: [Double], _ shape: [Int], _ dtype: DType = .float32,
                          requiresGrad: Bool = false, gradFn: String? = nil) -> String {
        TensorFormatter.describe(values: values, shape: shape, dtype: dtype,
                                 requiresGrad: requiresGrad, gradFnName: gradFn)
    }

    /// Values as a float32 tensor stores them (`torch.tensor([0.1])` holds `Float(0.1)`).
    private func f32(_ values: [Double]) -> [Double] { values.map { Double(Float($0)) } }

    // MARK: Notation and alignment

    func testFixedNotationRightAlignsEveryColumnToTheWidestValue() {
        XCTAssertEqual(describe(f32([0.01, -0.02, 0, 0.03]), [2, 2]), """
            tensor([[ 0.0100, -0.0200],
                    [ 0.0000,  0.0300]])
            """)
        XCTAssertEqual(describe(f32([3, 0, 13.5, -48]), [2, 2]), """
            tensor([[  3.0000,   0.0000],
                    [ 13.5000, -48.0000]])
            """)
        XCTAssertEqual(describe(f32([1.12345, -2.5, 3, 4]), [2, 2], requiresGrad: true), """
            tensor([[ 1.1235, -2.5000],
                    [ 3.0000,  4.0000]], requires_grad=True)
            """)
    }

    func testFixedNotationShowsTheStoredFloat32ValueToFourDecimals() {
        let tripled = [0.1, 0.2].map { Double(Float($0) * 3) }
        XCTAssertEqual(describe(tripled, [2]), "tensor([0.3000, 0.6000])")
    }

    func testRoundsHalfwayValuesToEvenAsPythonDoes() {
        XCTAssertEqual(describe([4.15625], [], .float64, gradFn: "HuberBackward"),
                       "tensor(4.1562, dtype=torch.float64, grad_fn=<HuberBackward>)")
    }

    func testWholeNumbersPrintWithATrailingPoint() {
        XCTAssertEqual(describe([1, 2, 3], [3]), "tensor([1., 2., 3.])")
        XCTAssertEqual(describe([8, 16], [2]), "tensor([ 8., 16.])")
        XCTAssertEqual(describe([1_000_000], [1]), "tensor([1000000.])")
        XCTAssertEqual(describe([1e8], [1]), "tensor([100000000.])")
        XCTAssertEqual(describe([3], []), "tensor(3.)")
        XCTAssertEqual(describe(Array(repeating: 0, count: 8), [2, 2, 2]), """
            tensor([[[0., 0.],
                     [0., 0.]],

                    [[0., 0.],
                     [0., 0.]]])
            """)
    }

    func testSwitchesToScientificWhenRatioExceedsThousand() {
        XCTAssertEqual(describe([1e6, 2], [2]), "tensor([1.0000e+06, 2.0000e+00])")
        XCTAssertEqual(describe([1000.5, 0.5], [2]), "tensor([1.0005e+03, 5.0000e-01])")
        XCTAssertEqual(describe([999.5, 1], [2]), "tensor([999.5000,   1.0000])")
    }

    func testSwitchesToScientificBelowOneTenThousandth() {
        XCTAssertEqual(describe(f32([1e-8, 2]), [2]), "tensor([1.0000e-08, 2.0000e+00])")
        XCTAssertEqual(describe(f32([0.5, 0.00009]), [2]), "tensor([5.0000e-01, 9.0000e-05])")
        XCTAssertEqual(describe(f32([-1.0688e-04, -2.0416e-04, -2.1948e-05, -3.6009e-05]), [2, 2]), """
            tensor([[-1.0688e-04, -2.0416e-04],
                    [-2.1948e-05, -3.6009e-05]])
            """)
        XCTAssertEqual(describe(f32([1e-5]), [], requiresGrad: true), "tensor(1.0000e-05, requires_grad=True)")
    }

    func testSwitchesToScientificAboveOneHundredMillion() {
        XCTAssertEqual(describe([1.5e8], [1]), "tensor([1.5000e+08])")
        XCTAssertEqual(describe([2e8], [1]), "tensor([2.0000e+08])")
        XCTAssertEqual(describe([1e8, 1], [2]), "tensor([1.0000e+08, 1.0000e+00])")
    }

    func testScientificZerosKeepTheMantissaDigits() {
        XCTAssertEqual(describe([1.0251998901367188e-05, 0], [2], .float16),
                       "tensor([1.0252e-05, 0.0000e+00], dtype=torch.float16)")
        XCTAssertEqual(describe([0.00010001659393310547, 5.960464477539063e-08], [2], .float16),
                       "tensor([1.0002e-04, 5.9605e-08], dtype=torch.float16)")
    }

    func testNaNAndInfinityAlignButDoNotChooseNotationOrWidth() {
        XCTAssertEqual(describe([.nan, .infinity, -.infinity, 1.5], [4]), "tensor([   nan,    inf,   -inf, 1.5000])")
        XCTAssertEqual(describe([.nan, 2, -.infinity, 100], [4]), "tensor([ nan,   2., -inf, 100.])")
        XCTAssertEqual(describe([.nan, 0.5, -.infinity], [3], .float64),
                       "tensor([   nan, 0.5000,   -inf], dtype=torch.float64)")
    }

    func testTensorsWithoutNonzeroFiniteValuesStayInIntegerNotation() {
        XCTAssertEqual(describe([.nan], [1]), "tensor([nan])")
        XCTAssertEqual(describe([-.nan], [1]), "tensor([nan])")
        XCTAssertEqual(describe([.nan, 0], [2]), "tensor([nan, 0.])")
        XCTAssertEqual(describe([.infinity], [1], .float16), "tensor([inf], dtype=torch.float16)")
        XCTAssertEqual(describe([0, 0, 0], [3], .float64), "tensor([0., 0., 0.], dtype=torch.float64)")
        XCTAssertEqual(describe([.nan], []), "tensor(nan)")
    }

    func testKeepsTheSignOfNegativeZero() {
        XCTAssertEqual(describe([-0.0, 0], [2]), "tensor([-0., 0.])")
        XCTAssertEqual(describe([-0.0], []), "tensor(-0.)")
        // Zeros do not widen the column, so `-0.` sticks out as it does in PyTorch.
        XCTAssertEqual(describe([-0.0, 5], [2]), "tensor([-0., 5.])")
        XCTAssertEqual(describe([-0.0, 1.5, 2, -3], [2, 2]), """
            tensor([[-0.0000,  1.5000],
                    [ 2.0000, -3.0000]])
            """)
    }

    // MARK: Shapes and line wrapping

    func testZeroDimensionalTensorsPrintBareValues() {
        XCTAssertEqual(describe([10.25], [], requiresGrad: true), "tensor(10.2500, requires_grad=True)")
        XCTAssertEqual(describe([47.25], [], gradFn: "MeanBackward0"), "tensor(47.2500, grad_fn=<MeanBackward0>)")
        XCTAssertEqual(describe([2.5], [], .float64), "tensor(2.5000, dtype=torch.float64)")
    }

    func testColumnVectorsPutEachRowOnItsOwnLine() {
        XCTAssertEqual(describe([-0.5, -0.5, -0.5, -0.5], [4, 1], gradFn: "AddBackward0"), """
            tensor([[-0.5000],
                    [-0.5000],
                    [-0.5000],
                    [-0.5000]], grad_fn=<AddBackward0>)
            """)
    }

    func testWrapsLongVectorsAtEightyColumns() {
        let thirds = f32((0..<20).map { Double($0) / 3 })
        XCTAssertEqual(describe(thirds, [20]), """
            tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,
                    3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,
                    6.0000, 6.3333])
            """)
    }

    func testWrapsEachRowOfAWideMatrixOneColumnFurtherIn() {
        let sevenths = (0..<40).map { Double(Float($0) / 7) }
        XCTAssertEqual(describe(sevenths, [2, 20]), """
            tensor([[0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,
                     1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,
                     2.5714, 2.7143],
                    [2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143, 3.8571, 4.0000,
                     4.1429, 4.2857, 4.4286, 4.5714, 4.7143, 4.8571, 5.0000, 5.1429, 5.2857,
                     5.4286, 5.5714]])
            """)
    }

    func testFourDimensionsSeparateTopLevelBlocksWithTwoBlankLines() {
        XCTAssertEqual(describe((0..<16).map(Double.init), [2, 2, 2, 2]), """
            tensor([[[[ 0.,  1.],
                      [ 2.,  3.]],

                     [[ 4.,  5.],
                      [ 6.,  7.]]],


                    [[[ 8.,  9.],
                      [10., 11.]],

                     [[12., 13.],
                      [14., 15.]]]])
            """)
    }

    func testEmptyTensorsNameTheirSizeUnlessOneDimensional() {
        XCTAssertEqual(describe([], [0]), "tensor([])")
        XCTAssertEqual(describe([], [0, 3]), "tensor([], size=(0, 3))")
        XCTAssertEqual(describe([], [0], .float64), "tensor([], dtype=torch.float64)")
        XCTAssertEqual(describe([], [2, 0, 3], .float16, requiresGrad: true),
                       "tensor([], size=(2, 0, 3), dtype=torch.float16, requires_grad=True)")
    }

    // MARK: Summaries

    func testSummarisesOnlyAboveAThousandElements() {
        let thousandths = (0..<1001).map { Double(Float($0) / 1000) }
        XCTAssertEqual(describe(thousandths, [1001]), "tensor([0.0000, 0.0010, 0.0020,  ..., 0.9980, 0.9990, 1.0000])")

        let full = describe(Array(thousandths.prefix(1000)), [1000])
        XCTAssertFalse(full.contains("..."))
        let lines = full.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 112, "nine elements a line")
        XCTAssertEqual(lines.first, "tensor([0.0000, 0.0010, 0.0020, 0.0030, 0.0040, 0.0050, 0.0060, 0.0070, 0.0080,")
        XCTAssertEqual(lines.last, "        0.9990])")
    }

    func testSummarisedVectorCountsTheEllipsisAsAnElementWhenWrapping() {
        XCTAssertEqual(describe((0..<2000).map(Double.init), [2000]), """
            tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,
                    1.9990e+03])
            """)
    }

    func testHiddenElementsOfASummaryDoNotAffectNotationOrWidth() {
        var values = (0..<2000).map(Double.init)
        values[999] = 0.5
        values[1000] = 1e10
        XCTAssertEqual(describe(values, [2000]), """
            tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,
                    1.9990e+03])
            """)
    }

    func testSummarisesMatrixRowsWithAnEllipsisLine() {
        XCTAssertEqual(describe((0..<2500).map(Double.init), [50, 50]), """
            tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,
                     4.9000e+01],
                    [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,
                     9.9000e+01],
                    [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,
                     1.4900e+02],
                    ...,
                    [2.3500e+03, 2.3510e+03, 2.3520e+03,  ..., 2.3970e+03, 2.3980e+03,
                     2.3990e+03],
                    [2.4000e+03, 2.4010e+03, 2.4020e+03,  ..., 2.4470e+03, 2.4480e+03,
                     2.4490e+03],
                    [2.4500e+03, 2.4510e+03, 2.4520e+03,  ..., 2.4970e+03, 2.4980e+03,
                     2.4990e+03]])
            """)
    }

    func testSummaryKeepsShortDimensionsWhole() {
        XCTAssertEqual(describe(Array(repeating: 1, count: 1200), [2, 600]), """
            tensor([[1., 1., 1.,  ..., 1., 1., 1.],
                    [1., 1., 1.,  ..., 1., 1., 1.]])
            """)
    }

    func testSummarisedThreeDimensionalTensorPutsTheEllipsisBetweenBlankLines() {
        let text = describe((0..<1100).map(Double.init), [11, 10, 10])
        XCTAssertTrue(text.hasPrefix("""
            tensor([[[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 7.0000e+00,
                      8.0000e+00, 9.0000e+00],
                     [1.0000e+01, 1.1000e+01, 1.2000e+01,  ..., 1.7000e+01,
                      1.8000e+01, 1.9000e+01],
            """), text)
        XCTAssertTrue(text.contains("""
                      2.9800e+02, 2.9900e+02]],

                    ...,

                    [[8.0000e+02, 8.0100e+02, 8.0200e+02,  ..., 8.0700e+02,
            """), text)
        XCTAssertTrue(text.hasSuffix("""
                     [1.0900e+03, 1.0910e+03, 1.0920e+03,  ..., 1.0970e+03,
                      1.0980e+03, 1.0990e+03]]])
            """), text)
    }

    func testHugeTensorPrintsOnlyItsEdges() {
        let values = (0..<1_000_000).map { Double($0) }
        let text = describe(values, [100, 100, 100])
        XCTAssertTrue(text.hasPrefix("tensor([[[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 9.7000e+01,"), text)
        XCTAssertTrue(text.hasSuffix("1.0000e+06, 1.0000e+06]]])"), text)
    }

    // MARK: Suffixes

    func testDtypeSuffixForEveryTypeButFloat32() {
        XCTAssertEqual(describe([2], [1], .float64), "tensor([2.], dtype=torch.float64)")
        XCTAssertEqual(describe([1, 2], [2], .float16), "tensor([1., 2.], dtype=torch.float16)")
        XCTAssertEqual(describe([1, 2], [2], .float32), "tensor([1., 2.])")
    }

    func testGradFnTakesPrecedenceOverRequiresGrad() {
        XCTAssertEqual(describe([1], [], requiresGrad: true, gradFn: "MulBackward0"), "tensor(1., grad_fn=<MulBackward0>)")
        XCTAssertEqual(describe([1], [], requiresGrad: true), "tensor(1., requires_grad=True)")
    }

    func testSuffixMovesToANewLineWhenTheLastLineWouldPassEightyColumns() {
        let thirds = f32((0..<13).map { Double($0) / 3 })
        // The data line is 71 characters, yet PyTorch counts it as 73 and breaks before the suffix.
        XCTAssertEqual(describe(Array(thirds.prefix(8)), [8], requiresGrad: true), """
            tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333],
                   requires_grad=True)
            """)
        XCTAssertEqual(describe(thirds, [13], requiresGrad: true), """
            tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,
                    3.0000, 3.3333, 3.6667, 4.0000], requires_grad=True)
            """)
        let doubles = (0..<11).map { Double($0) / 3 }
        XCTAssertEqual(describe(doubles, [11], .float64, requiresGrad: true), """
            tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,
                    3.0000, 3.3333], dtype=torch.float64, requires_grad=True)
            """)
    }

    func testLaterSuffixesFollowAWrappedOneOnItsLine() {
        let doubles = (0..<9).map { Double($0) / 3 }
        XCTAssertEqual(describe(doubles, [9], .float64, gradFn: "LongNameFunctionBackward"), """
            tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667],
                   dtype=torch.float64, grad_fn=<LongNameFunctionBackward>)
            """)
    }

    // MARK: Inconsistent input

    func testValuesThatDisagreeWithTheShapePrintAsAVectorInsteadOfTrapping() {
        XCTAssertEqual(describe([1, 2, 3], [2, 2]), "tensor([1., 2., 3.])")
        XCTAssertEqual(describe([1, 2], [-1, -2]), "tensor([1., 2.])")
        XCTAssertEqual(describe([1, 2], [Int.max, 3]), "tensor([1., 2.])")
        XCTAssertEqual(describe([], []), "tensor([])")
        XCTAssertEqual(describe([.greatestFiniteMagnitude, -.leastNonzeroMagnitude], [2], .float64),
                       "tensor([ 1.7977e+308, -4.9407e-324], dtype=torch.float64)")
    }

    // MARK: pythonRepr

    func testPythonReprUsesTheShortestRoundTripDigits() {
        XCTAssertEqual(pythonRepr(47.25), "47.25")
        XCTAssertEqual(pythonRepr(0.1 + 0.2), "0.30000000000000004")
        XCTAssertEqual(pythonRepr(Double(Float(0.1) * 3)), "0.30000001192092896")
        XCTAssertEqual(pythonRepr(0.00010001659393310547), "0.00010001659393310547")
        XCTAssertEqual(pythonRepr(-2.5), "-2.5")
    }

    func testPythonReprAlwaysShowsAPointOrExponent() {
        XCTAssertEqual(pythonRepr(0), "0.0")
        XCTAssertEqual(pythonRepr(-0.0), "-0.0")
        XCTAssertEqual(pythonRepr(1_000_000), "1000000.0")
        XCTAssertEqual(pythonRepr(1e15), "1000000000000000.0")
    }

    func testPythonReprUsesExponentsBelowOneTenThousandthAndFromTenToTheSixteenth() {
        XCTAssertEqual(pythonRepr(0.0001), "0.0001")
        XCTAssertEqual(pythonRepr(0.00001), "1e-05")
        XCTAssertEqual(pythonRepr(6.103515625e-05), "6.103515625e-05")
        XCTAssertEqual(pythonRepr(1e16), "1e+16")
        XCTAssertEqual(pythonRepr(1.5e16), "1.5e+16")
        XCTAssertEqual(pythonRepr(1e22), "1e+22")
        XCTAssertEqual(pythonRepr(123456789012345680), "1.2345678901234568e+17")
        XCTAssertEqual(pythonRepr(.greatestFiniteMagnitude), "1.7976931348623157e+308")
        XCTAssertEqual(pythonRepr(.leastNonzeroMagnitude), "5e-324")
    }

    func testPythonReprKeepsFixedNotationWhereSwiftSwitchesToExponents() {
        // Swift's description writes `9.851314084160724e+15` above 2^53; Python waits for 1e16.
        XCTAssertEqual(pythonRepr(9851314084160724), "9851314084160724.0")
        XCTAssertEqual(pythonRepr(-9999999999999998), "-9999999999999998.0")
    }

    func testPythonReprSpellsNonFiniteValuesAsPython() {
        XCTAssertEqual(pythonRepr(.nan), "nan")
        XCTAssertEqual(pythonRepr(-.nan), "nan")
        XCTAssertEqual(pythonRepr(.infinity), "inf")
        XCTAssertEqual(pythonRepr(-.infinity), "-inf")
    }
}
