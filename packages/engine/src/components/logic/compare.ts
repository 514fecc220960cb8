/** Operators of `if_condition` (SPEC section 5) and the matching rule of `switch`. */
export const OPERATORS = ["eq", "ne", "gt", "gte", "lt", "lte", "contains", "exists"] as const;
export type Operator = (typeof OPERATORS)[number];

function asNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Equality as a user means it: numbers compare as numbers even when one side is text from a form ("5" eq 5),
 * booleans likewise ("true" eq true), and objects and arrays compare by their JSON.
 */
export function looseEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined && nb !== undefined) return na === nb;
  if (typeof a === "boolean" || typeof b === "boolean") return String(a) === String(b);
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}

function order(a: unknown, b: unknown): number | undefined {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined && nb !== undefined) return na - nb;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

export function compare(left: unknown, operator: Operator, right: unknown): boolean {
  switch (operator) {
    case "eq":
      return looseEquals(left, right);
    case "ne":
      return !looseEquals(left, right);
    case "gt": {
      const o = order(left, right);
      return o !== undefined && o > 0;
    }
    case "gte": {
      const o = order(left, right);
      return o !== undefined && o >= 0;
    }
    case "lt": {
      const o = order(left, right);
      return o !== undefined && o < 0;
    }
    case "lte": {
      const o = order(left, right);
      return o !== undefined && o <= 0;
    }
    case "contains":
      if (typeof left === "string")
        return right !== undefined && right !== null && left.includes(String(right));
      if (Array.isArray(left)) return left.some((item) => looseEquals(item, right));
      if (left !== null && typeof left === "object")
        return typeof right === "string" && Object.hasOwn(left, right);
      return false;
    case "exists":
      return left !== undefined && left !== null && left !== "";
  }
}
