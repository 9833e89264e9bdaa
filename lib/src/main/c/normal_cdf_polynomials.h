/*
 * Written by bin/fit-normal-cdf, which also checks it: do not edit. The constants and polynomials of
 * NormalCdfPolynomials.java, for gelu.c: the same literals, the same order of operations.
 */
#define CUT 9.0
#define SHIFT 3.0
#define CENTRE 0.62
#define SPLIT 134217729.0
#define INV_LN2 1.4426950408889634
#define LN2_HI 0.6931471803691238
#define LN2_LO 1.9082149292705877e-10
#define INV_SQRT_2PI 0.3989422804014327

/* e^m for |m| <= 0.35: Taylor's series to m^13. */
static inline double expNearZero(double m) {
    return 1.0
            + m * (1.0
            + m * (0.5
            + m * (0.16666666666666666
            + m * (0.041666666666666664
            + m * (0.008333333333333333
            + m * (0.001388888888888889
            + m * (0.0001984126984126984
            + m * (2.48015873015873e-05
            + m * (2.7557319223985893e-06
            + m * (2.755731922398589e-07
            + m * (2.505210838544172e-08
            + m * (2.08767569878681e-09
            + m * (1.6059043836821613e-10)))))))))))));
}

/* F's terms of degree 11 to 22, divided by v^11: what factor() continues from. */
static inline double factorTop(double v) {
    return 0.010102280379765832
            + v * (-0.016994828371508845
            + v * (0.004681104632403662
            + v * (0.008719944586738736
            + v * (-0.010573540075717154
            + v * (0.0024015397169379416
            + v * (0.0063925132184516524
            + v * (-0.0080500831833033
            + v * (0.0017474726110417625
            + v * (0.004950331096798998
            + v * (-0.004075849912865134
            + v * (0.0002057696352876531)))))))))));
}

/* F(v) = Q(a) exp(a^2 / 2), given factorTop(v). */
static inline double factor(double v, double top) {
    return 0.17880505011596262
            + v * (0.5476459759242416
            + v * (0.6326946794988838
            + v * (0.40158864452445586
            + v * (0.031692345170696135
            + v * (-0.12296873637197496
            + v * (-0.0179969501297096
            + v * (0.05766081492270091
            + v * (-0.0046910436151307204
            + v * (-0.030067669111694482
            + v * (0.016303346831161494
            + v * top))))))))));
}
