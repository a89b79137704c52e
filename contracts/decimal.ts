// Amounts, prices and quantities travel as exact decimal text, never as floats.

/**
 * An exact decimal number as text ("-1234.5", "0.00000001"): no exponent, no NaN, no Infinity.
 * @pattern ^-?\d+(\.\d+)?$
 */
export type DecimalText = string;
