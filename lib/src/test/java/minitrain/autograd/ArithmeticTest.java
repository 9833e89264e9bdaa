package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;

import minitrain.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * add on all cores is ND4J's add bit for bit, and an add's backward hands one gradient array to both inputs
 * without either changing it in place.
 */
class ArithmeticTest {

    @Test
    void sumOnAllCoresIsNd4jsAddBitForBit() {
        Rng rng = new Rng(21);
        INDArray x = GradCheckTest.randn(rng, 3, 41, 96).data, y = GradCheckTest.randn(rng, 3, 41, 96).data;
        ReferenceTest.assertClose("sum", Nd.values(x.add(y)), Nd.values(Arithmetic.sum(x, y)), 0);
        // A broadcast goes to ND4J: (3, 41, 96) + (41, 96).
        INDArray row = GradCheckTest.randn(rng, 41, 96).data;
        ReferenceTest.assertClose("broadcast", Nd.values(x.add(row)), Nd.values(Arithmetic.sum(x, row)), 0);
    }

    @Test
    void aGradientSharedByBothInputsOfAnAddIsNeverChangedInPlace() {
        Rng rng = new Rng(22);
        Tensor p = GradCheckTest.randn(rng, 2, 3000), q = GradCheckTest.randn(rng, 2, 3000);
        Tensor a = Arithmetic.scale(p, 1.0), b = Arithmetic.scale(q, 1.0);   // inputs with a gradient, not parameters
        INDArray g = GradCheckTest.randn(rng, 2, 3000).data, h = GradCheckTest.randn(rng, 2, 3000).data;
        double[] gBefore = Nd.values(g);
        a.accumulateShared(g);
        b.accumulateShared(g);
        a.accumulate(h);                     // a's second gradient: added into a new array, not into g
        ReferenceTest.assertClose("b's gradient", gBefore, Nd.values(b.grad()), 0);
        ReferenceTest.assertClose("g itself", gBefore, Nd.values(g), 0);
        ReferenceTest.assertClose("a's gradient", Nd.values(g.add(h)), Nd.values(a.grad()), 0);
    }

    @Test
    void aParametersGradientIsAddedIntoNeverReplaced() {
        // Its array lives outside the pass's memory and the optimizer reads it: a kernel may not swap it for another.
        Tensor p = GradCheckTest.randn(new Rng(24), 2, 3);
        assertNull(p.gradSoFar());
        assertThrows(IllegalStateException.class, () -> p.replaceGrad(Nd.zeros(2, 3)));
        INDArray own = p.grad();
        Reduce.sum(LayerNorm.apply(p, GradCheckTest.randn(new Rng(25), 3), GradCheckTest.randn(new Rng(26), 3)))
                .backward();
        assertSame(own, p.grad());
    }

    @Test
    void anAddOfATensorToItselfGivesItTwiceTheGradient() {
        Tensor x = GradCheckTest.randn(new Rng(23), 5, 1000);
        Reduce.sum(Arithmetic.add(x, x)).backward();
        for (double v : Nd.values(x.grad())) assertEquals(2.0, v, 0.0);
    }

    @Test
    void aResidualConnectionGetsBothGradients() {
        // out = x + 3 LayerNorm(x), as a block of the model adds its layer to the stream (x not a parameter, as the
        // stream is not): x's gradient from the add, shared with its other input, is added into the layer norm's
        // own as that kernel writes it.
        ReferenceTest.sameAsReference("residual", in -> residual(in, LayerNorm::apply),
                in -> residual(in, LayerNorm::reference), 1e-14,
                new long[] {3, 41, 96}, new long[] {96}, new long[] {96});
    }

    private static Tensor residual(java.util.List<Tensor> in, LayerNormFn norm) {
        Tensor x = Arithmetic.scale(in.get(0), 1.0);
        return Arithmetic.add(x, Arithmetic.scale(norm.apply(x, in.get(1), in.get(2)), 3));
    }

    private interface LayerNormFn {
        Tensor apply(Tensor x, Tensor w, Tensor b);
    }
}
