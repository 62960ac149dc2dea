// The customer journey through a TypeScript client generated from openapi/sabil.yaml: types by
// openapi-typescript (`npm run gen` → generated/sabil.d.ts), calls by openapi-fetch. Every API call goes
// through the generated client; only the sandbox payment page (HTML, what a browser would show) is
// fetched plainly. Run by tests/e2e/run.sh against a fresh server; prints one line per step with its time.
//
// Environment: BASE_URL (e.g. http://127.0.0.1:18080), SABIL_CLI (path to the `sabil` binary, run with
// the server's SABIL_* settings to read the local SMS outbox).
import { execFileSync } from "node:child_process";
import { randomInt, randomUUID } from "node:crypto";

import createClient from "openapi-fetch";

import type { components, paths } from "./generated/sabil.js";

type Schemas = components["schemas"];

const baseUrl = requiredEnv("BASE_URL").replace(/\/+$/, "");
const cli = requiredEnv("SABIL_CLI");

const api = createClient<paths>({ baseUrl: `${baseUrl}/api` });
let accessToken: string | undefined;
api.use({
    onRequest({ request }) {
        if (accessToken !== undefined) {
            request.headers.set("Authorization", `Bearer ${accessToken}`);
        }
        return request;
    },
    // The spec declares no nullable property: an optional value is left out, never `null`. A `null` would
    // break clients typed from the spec (openapi-typescript types it as `?: T`), so any is a failure.
    async onResponse({ request, response }) {
        if (response.headers.get("content-type")?.includes("json")) {
            const nulls = nullPaths(await response.clone().json(), "");
            if (nulls.length > 0) {
                throw new Error(`${request.method} ${new URL(request.url).pathname} answered null at ${nulls.join(", ")}; the spec allows none`);
            }
        }
        return response;
    },
});

/** The JSON paths holding `null` in `value`. */
function nullPaths(value: unknown, path: string): string[] {
    if (value === null) {
        return [path || "(body)"];
    }
    if (typeof value !== "object") {
        return [];
    }
    return Object.entries(value).flatMap(([key, inner]) => nullPaths(inner, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`));
}

function requiredEnv(name: string): string {
    const value = process.env[name];
    if (value === undefined || value === "") {
        throw new Error(`${name} must be set`);
    }
    return value;
}

/** The body of an openapi-fetch answer, or an error naming the step, the status and the API's error body. */
function ok<T>(what: string, answer: { data?: T; error?: unknown; response: Response }, status: number): T {
    if (answer.response.status !== status || answer.data === undefined) {
        const body = answer.error === undefined ? "" : ` ${JSON.stringify(answer.error)}`;
        throw new Error(`${what}: expected ${status}, got ${answer.response.status}${body}`);
    }
    return answer.data;
}

function check(condition: boolean, message: string): asserts condition {
    if (!condition) {
        throw new Error(message);
    }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let stepNumber = 0;
const journeyStart = performance.now();

/** Runs one step, then prints its number, name, time and what it found. */
async function step<T>(name: string, run: () => Promise<[T, string]>): Promise<T> {
    stepNumber += 1;
    const start = performance.now();
    try {
        const [value, detail] = await run();
        const ms = (performance.now() - start).toFixed(0);
        console.log(`ok  ${String(stepNumber).padStart(2)} ${name.padEnd(26)} ${ms.padStart(5)} ms  ${detail}`);
        return value;
    } catch (e) {
        const ms = (performance.now() - start).toFixed(0);
        console.log(`FAIL ${String(stepNumber).padStart(2)} ${name.padEnd(25)} ${ms.padStart(5)} ms`);
        throw e;
    }
}

/** The newest one-time code texted to `phone`, read from the local SMS outbox with `sabil sms list --json`. */
async function codeFromOutbox(phone: string): Promise<string> {
    for (let attempt = 0; attempt < 50; attempt += 1) {
        const out = execFileSync(cli, ["sms", "list", "--json", "--limit", "20"], { encoding: "utf8" });
        const messages = JSON.parse(out) as { to: string; body: string; createdAt: string }[];
        const code = messages.find((m) => m.to === phone)?.body.match(/\b(\d{6})\b/)?.[1];
        if (code !== undefined) {
            return code;
        }
        await sleep(100);
    }
    throw new Error(`no code for ${phone} in the SMS outbox`);
}

/** A point inside an area's boundary: the mean of its outer ring's corners (the demo areas are convex). */
function pointInside(area: Schemas["DeliveryAreaDto"]): Schemas["AddressLocationDto"] | undefined {
    const geometry = area.boundary;
    if (geometry === undefined) {
        return undefined;
    }
    const polygons = (geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates) as number[][][][];
    const ring = polygons[0]?.[0];
    if (ring === undefined || ring.length < 4) {
        return undefined;
    }
    const corners = ring.slice(0, -1); // the ring is closed: its last point repeats the first
    const mean = (i: number) => corners.reduce((sum, p) => sum + (p[i] ?? 0), 0) / corners.length;
    return { longitude: mean(0), latitude: mean(1) };
}

const lang = { "Accept-Language": "en" };
const phone = `+9655${String(randomInt(0, 10_000_000)).padStart(7, "0")}`;
const password = `e2e-journey-${randomUUID()}`;

await step("register", async () => {
    const sent = ok(
        "register",
        await api.POST("/auth/register", {
            body: { phone, fullName: "E2E Journey", password, language: "en" },
        }),
        202,
    );
    return [sent, `${phone}: code valid ${sent.codeExpiresInSeconds}s`];
});

const code = await step("read code from SMS outbox", async () => {
    const found = await codeFromOutbox(phone);
    return [found, "sabil sms list --json"];
});

const tokens = await step("verify phone", async () => {
    const t = ok("verify-phone", await api.POST("/auth/verify-phone", { body: { phone, code, password } }), 200);
    check(t.role === "customer", `expected role customer, got ${t.role}`);
    return [t, `role ${t.role}, access token for ${t.expiresIn}s`];
});
accessToken = tokens.accessToken;

const product = await step("browse products", async () => {
    const page = ok("listProducts", await api.GET("/products", { params: { header: lang } }), 200);
    const first = page.items.find((p) => p.active);
    check(first !== undefined, "the catalog has no active product");
    const one = ok("getProduct", await api.GET("/products/{id}", { params: { path: { id: first.id }, header: lang } }), 200);
    return [one, `${page.items.length} products; "${one.title}" at ${one.price.formatted}`];
});

const [area, location] = await step("find a delivery area", async () => {
    const areas = ok("listDeliveryAreas", await api.GET("/delivery-areas", { params: { header: lang } }), 200);
    for (const candidate of areas.filter((a) => a.active)) {
        const point = pointInside(candidate);
        if (point === undefined) {
            continue;
        }
        const found = await api.GET("/delivery-areas/lookup", { params: { query: point, header: lang } });
        if (found.data?.id === candidate.id) {
            return [[found.data, point] as const, `${areas.length} areas; "${found.data.name}", minimum ${found.data.minimumOrder.formatted}`];
        }
    }
    throw new Error("no active area whose boundary's centre looks up to itself");
});

const address = await step("add an address", async () => {
    const body: Schemas["AddressRequest"] = { type: "house", label: "Home", block: "4", street: "Journey Street", house: "12", location };
    const created = ok("createAddress", await api.POST("/addresses", { body }), 201);
    check(created.areaId === area.id, `address resolved to area ${created.areaId}, expected ${area.id}`);
    return [created, `address ${created.id} in "${area.name}"`];
});

const slot = await step("pick a delivery slot", async () => {
    const slots = ok("listDeliverySlots", await api.GET("/delivery-slots", { params: { query: { areaId: area.id, days: 14 } } }), 200);
    const open = slots.find((s) => s.bookable && s.remaining > 0);
    check(open !== undefined, `no bookable slot in the next 14 days of ${slots.length}`);
    return [open, `${slots.length} slots; ${open.date} ${open.startsAt}, ${open.remaining} places left`];
});

// Enough packs to reach the area's minimum order, within the product's limits.
const quantity = Math.min(
    product.maxQuantity,
    Math.max(product.minQuantity, Math.ceil(area.minimumOrder.amount / Math.max(product.price.amount, 1))),
);

await step("add to cart", async () => {
    const cart = ok("addToCart", await api.POST("/cart/items", { body: { productId: product.id, quantity }, params: { header: lang } }), 200);
    return [cart, `${quantity} x "${product.title}"`];
});

const delivery: Schemas["DeliveryDto"] = { addressId: address.id };

const quote = await step("quote", async () => {
    const q = ok("quoteCart", await api.POST("/cart/quote", { body: { delivery, coupons: [] }, params: { header: lang } }), 200);
    check(q.belowMinimum === undefined, `cart below the minimum order by ${q.belowMinimum?.formatted}`);
    check(Number.isInteger(q.totals.amountToPay.amount) && q.totals.amountToPay.amount > 0, "amountToPay must be a positive integer of minor units");
    return [q, `to pay ${q.totals.amountToPay.formatted} (fee ${q.totals.deliveryFee.formatted}, tax ${q.totals.taxTotal.formatted})`];
});

const order = await step("check out", async () => {
    const body: Schemas["CheckoutRequest"] = { delivery, slotId: slot.slotId, date: slot.date, paymentMethod: "card", coupons: [] };
    const params = { header: { "Idempotency-Key": randomUUID(), ...lang } };
    const placed = ok("checkout", await api.POST("/cart/checkout", { body, params }), 201);
    check(placed.status === "pending_payment", `a card order starts pending_payment, got ${placed.status}`);
    check(placed.totals.amountToPay.amount === quote.totals.amountToPay.amount, "the order's amount differs from the quote");
    // The same key and body again: the same order, answered 200 and marked as a replay.
    const again = await api.POST("/cart/checkout", { body, params });
    const replayed = ok("checkout replay", again, 200);
    check(replayed.id === placed.id, "a replayed checkout must answer the first order");
    check(again.response.headers.get("Idempotent-Replayed") === "true", "a replay must say Idempotent-Replayed: true");
    return [placed, `order #${placed.number} ${placed.status}; replay with the same key gave the same order`];
});

const payment = await step("start the payment", async () => {
    const started = ok("startPayment", await api.POST("/orders/{id}/payments", { params: { path: { id: order.id } } }), 201);
    check(started.amount.amount === order.totals.amountToPay.amount, "the charge's amount differs from the order's");
    return [started, `charge ${started.chargeId} for ${started.amount.formatted}`];
});

await step("approve in the sandbox", async () => {
    // What the customer's browser does: open the payment page, press "Approve payment" (a form POST).
    const page = await fetch(payment.paymentUrl);
    const html = await page.text();
    check(page.status === 200, `payment page answered ${page.status}`);
    const action = html.match(/<form method="post" action="([^"]*\/approve)"/)?.[1];
    check(action !== undefined, "the payment page has no approve form");
    const decided = await fetch(new URL(action, payment.paymentUrl), { method: "POST", redirect: "manual" });
    check(decided.status === 303, `approving answered ${decided.status}: ${await decided.text()}`);
    const back = decided.headers.get("Location") ?? "";
    check(back.includes(`/pay/return/${order.id}`), `approving sent the browser to ${back}`);
    return [undefined, `303 to ${new URL(back, baseUrl).pathname}`];
});

await step("see the order paid", async () => {
    for (let attempt = 0; attempt < 50; attempt += 1) {
        const seen = ok("getMyOrder", await api.GET("/orders/{id}", { params: { path: { id: order.id }, header: lang } }), 200);
        if (seen.order.status === "paid") {
            const captured = seen.payments.map((p) => `${p.provider} ${p.status}`).join(", ");
            return [seen, `order #${seen.order.number} paid after ${attempt + 1} read(s); payments: ${captured}`];
        }
        check(seen.order.status === "pending_payment", `order went to ${seen.order.status}`);
        await sleep(200);
    }
    throw new Error("the order was not paid within 10 s");
});

console.log(`customer journey passed: ${stepNumber} steps in ${(performance.now() - journeyStart).toFixed(0)} ms`);
