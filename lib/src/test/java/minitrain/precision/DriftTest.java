package minitrain.precision;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import minitrain.Rng;
import minitrain.autograd.Arithmetic;
import minitrain.autograd.Nd;
import minitrain.autograd.OpHook;
import minitrain.autograd.Tensor;
import minitrain.corpus.Corpus;
import minitrain.corpus.Split;
import minitrain.model.GPTConfig;
import minitrain.model.MiniGPT;
import minitrain.plot.Charts;
import minitrain.plot.DriftChart;
import minitrain.autograd.Linear;
import org.nd4j.linalg.api.buffer.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriftTest {

    @Test
    void rowMetricsByHand() {
        DriftRow r = DriftRow.compare("fp16", "x", new double[] {3, 4, 1e-9, 7e4, 0.25},
                new double[] {3, 4.5, 0, Double.POSITIVE_INFINITY, 0}, HalfFloats::roundFp16);
        assertEquals(1, r.overflows());
        assertEquals(1, r.flushes(), "1e-9 underflows in fp16; 0.25 -> 0 is cancellation, not a flush");
        // diff^2 = 0 + 0.25 + 1e-18 + 0.0625; norm^2 = 9 + 16 + 1e-18 + 0.0625
        assertEquals(0.5, r.maxAbs(), 0.0); // the infinity counts as an overflow, not an error
        assertEquals(Math.sqrt((0.3125 + 1e-18) / (25.0625 + 1e-18)), r.relRms(), 1e-15);
    }

    @Test
    void nansAreCountedAndKeptOutOfTheErrors() {
        double nan = Double.NaN;
        DriftRow r = DriftRow.compare("fp16", "x", new double[] {1, 2, nan, Double.POSITIVE_INFINITY, 3},
                new double[] {1, nan, nan, Double.POSITIVE_INFINITY, 3.5}, HalfFloats::roundFp16);
        assertEquals(1, r.nans(), "2 -> NaN is counted; where fp64 is not finite there is nothing to compare");
        assertEquals(0, r.overflows());
        assertEquals(0.5, r.maxAbs(), 0.0);
        assertEquals(Math.sqrt(0.25 / 10), r.relRms(), 1e-15);
    }

    @Test
    void roundingEveryOperationAppliesOnlyInsideItsBlock() {
        Tensor a = Tensor.constant(Nd.array(new double[] {0.1, 1.0 / 3}, 2));
        Tensor b = Tensor.constant(Nd.array(new double[] {0, 0}, 2));
        double[] exact = Nd.values(Arithmetic.add(a, b).data);
        double[] rounded;
        try (var on = OpHook.install(Rounding.every(HalfFloats::roundFp16))) {
            rounded = Nd.values(Arithmetic.add(a, b).data);
        }
        assertArrayEquals(new double[] {0.1, 1.0 / 3}, exact, 0.0);
        assertArrayEquals(new double[] {HalfFloats.roundFp16(0.1), HalfFloats.roundFp16(1.0 / 3)}, rounded, 0.0);
        assertArrayEquals(exact, Nd.values(Arithmetic.add(a, b).data), 0.0, "the hook is gone after the block");
        Tensor extremes = Tensor.constant(Nd.array(new double[] {1e-9, 1e6, 0, 1}, 4));
        Tensor zero = Tensor.constant(Nd.zeros(4));
        Rounding r = Rounding.every(HalfFloats::roundFp16);
        try (var on = OpHook.install(r)) {
            Arithmetic.add(extremes, zero);
            assertArrayEquals(new long[] {1, 1}, r.takeCounts(),
                    "1e-9 flushes to zero, 1e6 overflows; 0 and 1 are exact");
            assertArrayEquals(new long[] {0, 0}, r.takeCounts(), "the counters restart");
        }
    }

    @Test
    void productsInTheFormatRoundEveryProductAndPartialSum() {
        // y = x W^T under everyWithProducts(HALF) against the arithmetic done by hand: each input, each product
        // and each running sum rounded to fp16, in k order.
        Rng rng = new Rng(11);
        int m = 5, k = 64, n = 4;
        double[] x = new double[m * k], w = new double[n * k];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = rng.nextGaussian();
        double[] got;
        try (var on = OpHook.install(Rounding.everyWithProducts(HalfFloats::roundFp16, DataType.HALF))) {
            Tensor in = Tensor.constant(Nd.array(x, m, k)), weight = Tensor.constant(Nd.array(w, n, k));
            got = Nd.values(Linear.apply(in, weight, null).data);
        }
        int wide = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0, exact = 0;
                for (int t = 0; t < k; t++) {
                    double a = HalfFloats.roundFp16(x[i * k + t]), b = HalfFloats.roundFp16(w[j * k + t]);
                    acc = HalfFloats.roundFp16(acc + HalfFloats.roundFp16(a * b));
                    exact += a * b;
                }
                assertEquals(acc, got[i * n + j], 0.0, "y[" + i + "][" + j + "]");
                if (HalfFloats.roundFp16(exact) != acc) wide++;
            }
        }
        assertTrue(wide > 0, "16-bit sums must differ somewhere from one rounding of the exact sum");
    }

    @Test
    void everyLayerIsMeasuredAndTheModelIsLeftUnchanged(@TempDir Path tmp) throws Exception {
        Corpus corpus = Corpus.load(Path.of("..", "corpus").toAbsolutePath().normalize());
        MiniGPT m = new MiniGPT(new GPTConfig(2, 2, 16, 64, corpus.vocab().size(), 0.0), new Rng(3));
        double[] before = Nd.values(m.parameters().get("transformer.wte.weight").data);
        Drift.Result r = Drift.measure(m, corpus.vocab(), corpus.records(Split.VAL).subList(0, 16));
        assertArrayEquals(before, Nd.values(m.parameters().get("transformer.wte.weight").data), 0.0);
        List<String> layers = r.rows().stream().filter(x -> x.precision().equals("fp16")).map(DriftRow::layer).toList();
        assertEquals(List.of("embeddings", "h.0.attn", "h.0.mlp", "h.0.residual", "h.1.attn", "h.1.mlp", "h.1.residual",
                "ln_f", "logits"), layers);
        DriftRow fp16 = r.rows().get(0), bf16 = r.rows().get(layers.size());
        assertEquals("bf16", bf16.precision());
        // bf16 keeps 8 significant bits, fp16 11: about 8x the relative error on the same values.
        assertTrue(bf16.relRms() > 3 * fp16.relRms(), bf16 + " vs " + fp16);
        assertTrue(fp16.relRms() > 0 && fp16.relRms() < 1e-3);
        assertEquals(List.of("fp64", "fp16", "bf16", "fp16-every-op", "bf16-every-op", "fp64-first-32", "fp16-arith",
                "bf16-arith"), List.copyOf(r.loss().keySet()),
                "fp64, fp16 and bf16 under each precision model, arith with its own reference");
        // Rounding every operation's output adds error on top of rounding at the boundaries: after the
        // embeddings (a lookup, rounded the same way in both models) the every-op model drifts further.
        for (String f : List.of("fp16", "bf16")) {
            List<DriftRow> boundary = r.rows().stream().filter(x -> x.precision().equals(f)).toList();
            List<DriftRow> everyOp = r.rows().stream().filter(x -> x.precision().equals(f + Drift.EVERY_OP)).toList();
            assertEquals(boundary.size(), everyOp.size());
            assertEquals(boundary.get(0).relRms(), everyOp.get(0).relRms(), 0.0);
            DriftRow lb = boundary.get(boundary.size() - 1), le = everyOp.get(everyOp.size() - 1);
            assertTrue(le.relRms() > lb.relRms(), f + " logits: every op " + le + " vs boundaries " + lb);
            // With 16 records the arith model sees the same sample: the same embeddings (no product yet), and
            // 16-bit sums in every product drift further than wide ones.
            List<DriftRow> arith = r.rows().stream().filter(x -> x.precision().equals(f + Drift.ARITH)).toList();
            assertEquals(everyOp.size(), arith.size());
            assertEquals(everyOp.get(0).relRms(), arith.get(0).relRms(), 0.0, f + " embeddings");
            DriftRow la = arith.get(arith.size() - 1);
            assertTrue(la.relRms() > le.relRms(), f + " logits: arith " + la + " vs every op " + le);
        }
        Path png = Charts.save(DriftChart.of(r.rows()), tmp.resolve("drift"));
        assertTrue(Files.size(png) > 1000 && Files.size(tmp.resolve("drift.svg")) > 1000);
    }
}
