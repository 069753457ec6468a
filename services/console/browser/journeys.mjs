// The console's journeys in a real browser: Debian's chromium, driven by playwright-core,
// against a store the caller started (services/stack/tests/console.rs starts one).
//
//   GATEWAY_URL     the store's gateway, e.g. http://127.0.0.1:18080   (required)
//   ADMIN_EMAIL     the store's bootstrap administrator email            (required)
//   SCREENSHOT_DIR  where the screenshots go (default: a temporary directory)
//   CHROMIUM        the browser (default /usr/bin/chromium)
//
// Seeds a small catalog through the API (the fixture), then walks the shopper journey,
// the bad inputs and the staff journey through the pages, asserting what a person would
// see. Exits non-zero, naming the step, on the first failure.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = required('GATEWAY_URL').replace(/\/$/, '');
const adminEmail = required('ADMIN_EMAIL');
const shots = process.env.SCREENSHOT_DIR || mkdtempSync(join(tmpdir(), 'petstore-shots-'));
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const password = 'a long passphrase 42';
const started = Date.now();

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`journeys: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

function log(message) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// ---- the fixture, through the API ------------------------------------------------------

async function api(method, path, token, body) {
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`fixture: ${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

async function seed() {
  await api('POST', '/api/auth/register', null, { email: adminEmail, password, displayName: 'Store Admin' });
  const { accessToken: admin } = await api('POST', '/api/auth/login', null, { email: adminEmail, password });
  const dogs = await api('POST', '/api/categories', admin, { name: 'Dogs', slug: 'dogs' });
  const cats = await api('POST', '/api/categories', admin, { name: 'Cats', slug: 'cats' });
  const products = [
    ['DOG-ROPE-1', 'Chew rope', dogs, 450, 'A knotted cotton rope for tug of war and chewing. Machine washable.'],
    ['DOG-TREAT-1', 'Salmon treats', dogs, 690, 'Soft salmon bites, grain free, 200 g. Dogs love them as a reward.'],
    ['DOG-BED-1', 'Cosy dog bed', dogs, 4900, 'A washable bed with raised sides for medium dogs.'],
    ['CAT-POST-1', 'Scratching post', cats, 3900, 'Sisal post on a heavy base, 80 cm tall.'],
    ['CAT-BALL-1', 'Jingle balls', cats, 299, 'Three light balls with a bell inside.'],
    // The simulated payment declines a total whose cents end in 13 (see the README).
    ['DOG-BONE-1', 'Squeaky bone', dogs, 1213, 'A rubber bone that squeaks when chewed.'],
  ];
  const ids = {};
  for (const [sku, name, category, amount, description] of products) {
    const p = await api('POST', '/api/products', admin, {
      sku, name, description, categoryId: category.id, price: { amount, currency: 'EUR' },
    });
    ids[name] = p.id;
  }
  for (const [name, species, breed, category, amount, tags] of [
    ['Rex', 'dog', 'Beagle', dogs, 45000, ['friendly', 'small']],
    ['Bella', 'dog', 'Labrador', dogs, 65000, ['calm']],
    ['Mia', 'cat', 'Siamese', cats, 30000, ['playful']],
  ]) {
    await api('POST', '/api/pets', admin, {
      name, species, breed, categoryId: category.id, tags, birthDate: '2025-03-14',
      price: { amount, currency: 'EUR' },
    });
  }
  const address = (city, postalCode) => ({ line1: 'Hauptstrasse 1', city, postalCode, country: 'DE' });
  const berlin = await api('POST', '/api/stores', admin, {
    code: 'BER1', name: 'Berlin Mitte', address: address('Berlin', '10115'), timezone: 'Europe/Berlin',
  });
  const hamburg = await api('POST', '/api/stores', admin, {
    code: 'HAM1', name: 'Hamburg Hafen', address: address('Hamburg', '20457'), timezone: 'Europe/Berlin',
  });
  for (const id of Object.values(ids)) {
    for (const store of [berlin, hamburg]) {
      await api('PUT', `/api/stores/${store.id}/inventory/${id}`, admin, { onHand: 40, minStock: 5, reason: 'opening stock' });
    }
  }
  return { ids, berlin };
}

// ---- the browser ----------------------------------------------------------------------

async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'petstore-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15000);
  return { context, profile };
}

const problems = [];
function watch(page) {
  page.on('pageerror', (err) => problems.push(`script error on ${page.url()}: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 4\d\d/.test(msg.text())) {
      problems.push(`console error on ${page.url()}: ${msg.text()}`);
    }
  });
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith('data:')) problems.push(`request outside the store: ${url}`);
  });
}

async function shot(page, name, options = {}) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: options.fullPage ?? false });
  log(`screenshot ${name}.png`);
}

let currentPage = null;

async function step(name, body) {
  log(name);
  try {
    return await body();
  } catch (err) {
    let seen = '';
    if (currentPage) {
      await currentPage.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).catch(() => {});
      const heading = await currentPage.locator('h1').first().innerText().catch(() => '?');
      seen = ` (on ${currentPage.url()}, heading "${heading}"; failure.png in ${shots})`;
    }
    throw new Error(`${name}: ${err.message}${seen}`);
  }
}

function shopNav(page, name) {
  return page.getByRole('navigation', { name: 'Shop' }).getByRole('link', { name, exact: true });
}

async function text(locator) {
  return (await locator.innerText()).trim();
}

// ---- the journeys ---------------------------------------------------------------------

async function shopper(page) {
  const email = `shopper-${Date.now()}@example.com`;
  await step('the shop front lists products', async () => {
    await page.goto(base + '/');
    await page.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
    check((await page.locator('.card').count()) === 6, 'six products are shown');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement.textContent.trim());
    check(first === 'Skip to content', `the first Tab reaches the skip link (got "${first}")`);
  });
  await step('bad input: a weak password shows the API\'s words next to the field', async () => {
    await page.getByRole('link', { name: 'Register' }).click();
    await page.getByLabel('Your name').fill('Sam Shopper');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    const error = page.locator('#password-error');
    await error.waitFor();
    const words = await text(error);
    check(words.length > 5, `a message next to the password (got "${words}")`);
    check((await page.getByLabel('Password').getAttribute('aria-invalid')) === 'true', 'the field is marked invalid');
    check((await page.getByLabel('Email').inputValue()) === email, 'the email is kept');
    log(`  password refused: "${words}"`);
  });
  await step('register with a good password and arrive signed in', async () => {
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Welcome! Your account is ready.').waitFor();
    await page.getByText('Sam Shopper').waitFor();
  });
  await step('bad input: checking out an empty cart shows why', async () => {
    await shopNav(page, 'Cart').click();
    await page.getByText('Your cart is empty.').waitFor();
    await page.getByRole('button', { name: 'Place order' }).click();
    const alert = page.locator('.alert');
    await alert.first().waitFor();
    const words = await text(alert.first());
    check(/empty/i.test(words), `the cart is said to be empty (got "${words}")`);
    log(`  checkout refused: "${words}"`);
  });
  await step('search and filter products', async () => {
    await shopNav(page, 'Products').click();
    await page.getByLabel('Search').fill('rope');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/q=rope/);
    check((await page.locator('.card').count()) === 1, 'one product matches "rope"');
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Category').selectOption({ label: 'Dogs' });
    await page.getByLabel('Sort by').selectOption({ label: 'Price, highest first' });
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/sort=-price/);
    const names = await page.locator('.card h2').allInnerTexts();
    check(JSON.stringify(names) === JSON.stringify(['Cosy dog bed', 'Squeaky bone', 'Salmon treats', 'Chew rope']),
      `dog products, dearest first (got ${JSON.stringify(names)})`);
    await page.getByLabel('Lowest price').fill('cheap');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#min-error').waitFor();
  });
  await step('filter pets and open a pet', async () => {
    await shopNav(page, 'Pets').click();
    await page.getByLabel('Species').fill('dog');
    await page.getByLabel('Tags').fill('friendly');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/species=dog/);
    const names = await page.locator('.card h2').allInnerTexts();
    check(JSON.stringify(names) === JSON.stringify(['Rex']), `only Rex is a friendly dog (got ${JSON.stringify(names)})`);
    await page.getByRole('link', { name: 'Rex' }).click();
    await page.getByRole('heading', { name: 'Rex', level: 1 }).waitFor();
    await page.getByText('Everything for Rex').waitFor();
  });
  await step('bad input: a quantity of 0 shows the API\'s words next to it', async () => {
    await page.getByRole('link', { name: 'Chew rope' }).click();
    await page.getByRole('heading', { name: 'Chew rope', level: 1 }).waitFor();
    await page.getByLabel('Quantity').fill('0');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    const error = page.locator('#quantity-error');
    await error.waitFor();
    const words = await text(error);
    check(words.length > 3, `a message next to the quantity (got "${words}")`);
    log(`  quantity refused: "${words}"`);
  });
  await step('add to the cart and change the quantity', async () => {
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added to your cart.').waitFor();
    await page.getByLabel('Quantity of Chew rope').fill('3');
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByText('Your cart was updated.').waitFor();
    const total = await text(page.locator('tfoot .total'));
    check(total.includes('13.50 EUR'), `3 × 4.50 EUR is 13.50 EUR (got "${total}")`);
    await shot(page, 'cart');
  });
  const orderUrl = await step('check out to a chosen store and watch the order get paid', async () => {
    await page.getByLabel('Collect from store').selectOption({ label: 'Berlin Mitte (Berlin, DE)' });
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.getByText('Thank you! Your order was placed.').waitFor();
    const live = (await page.locator('#order-status[hx-get]').count()) === 1;
    await page.locator('#order-status', { hasText: 'Paid' }).waitFor({ timeout: 45000 });
    // Once settled, the page shows the whole history and what can be done now.
    await page.locator('.history', { hasText: 'Paid' }).waitFor();
    log(`  paid (${live ? 'the page was still waiting and updated itself' : 'already paid when the page loaded'})`);
    await shot(page, 'order');
    return page.url();
  });
  await step('review what was bought', async () => {
    await page.getByRole('link', { name: 'Review it' }).click();
    await page.getByLabel('Rating').selectOption('5');
    await page.getByLabel('Title').fill('Survived a whole week');
    await page.getByLabel('Your review').fill('Our beagle has not managed to destroy it yet. Recommended.');
    await page.getByRole('button', { name: 'Publish review' }).click();
    await page.getByText('Thank you for your review.').waitFor();
    await page.getByText('Survived a whole week').waitFor();
    await page.getByText('1 review', { exact: false }).first().waitFor();
    await page.getByText('You have reviewed this product.').waitFor();
    await shot(page, 'product');
  });
  await step('an order whose payment is declined says why', async () => {
    await page.goto(base + '/?q=squeaky');
    await page.getByRole('button', { name: 'Add Squeaky bone to the cart' }).click();
    await page.getByText('Added to your cart.').waitFor();
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.locator('#order-status', { hasText: 'Failed' }).waitFor({ timeout: 45000 });
    const reason = await text(page.locator('#order-status .reason'));
    check(reason.length > 5, `the failure has a reason (got "${reason}")`);
    log(`  failed: "${reason}"`);
  });
  await step('cancel an order before it ships', async () => {
    await page.goto(base + '/?q=jingle');
    await page.getByRole('button', { name: 'Add Jingle balls to the cart' }).click();
    await page.getByText('Added to your cart.').waitFor();
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.getByText('Thank you! Your order was placed.').waitFor();
    await page.getByLabel('Why (optional)').fill('ordered twice by mistake');
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.getByText('The order was cancelled.').waitFor();
    await page.locator('#order-status', { hasText: 'Cancelled' }).waitFor();
    await page.locator('#order-status', { hasText: 'ordered twice by mistake' }).waitFor();
    await shopNav(page, 'Orders').click();
    const rows = await page.locator('tbody tr').count();
    check(rows === 3, `three orders are listed (got ${rows})`);
  });
  await step('the shop front on a phone and a desktop', async () => {
    await page.goto(base + '/');
    await shot(page, 'shop');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `no sideways scrolling on a phone (${overflow}px too wide)`);
    await shot(page, 'shop-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });
  return orderUrl;
}

async function staff(page, orderUrl) {
  const orderShort = orderUrl.split('/orders/')[1].slice(0, 8);
  await step('the administrator signs in', async () => {
    await page.goto(base + '/login');
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await shopNav(page, 'Staff').click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });
  await step('create a product', async () => {
    await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Products' }).click();
    await page.getByRole('link', { name: 'New product' }).click();
    await page.getByLabel('Name').fill('Catnip mouse');
    await page.getByLabel('SKU').fill('CAT-MOUSE-1');
    await page.getByLabel('Category').selectOption({ label: 'Cats' });
    await page.getByLabel('Price').fill('three euros');
    await page.getByRole('button', { name: 'Save product' }).click();
    await page.locator('#price-error').waitFor();
    await page.getByLabel('Price').fill('3.20');
    await page.getByRole('button', { name: 'Save product' }).click();
    await page.getByText('Created.').waitFor();
  });
  await step('stock it below its minimum', async () => {
    await page.getByRole('link', { name: 'Stores & stock' }).click();
    await page.getByRole('link', { name: 'Berlin Mitte' }).click();
    await page.getByLabel('Product', { exact: true }).selectOption({ label: 'Catnip mouse (CAT-MOUSE-1)' });
    await page.getByLabel('On hand').fill('2');
    await page.getByLabel('Minimum').fill('10');
    await page.getByLabel('Reason', { exact: true }).fill('first delivery');
    await page.getByRole('button', { name: 'Set stock' }).click();
    await page.getByText('Stock updated.').waitFor();
    await page.locator('tr.low', { hasText: 'Catnip mouse' }).waitFor();
  });
  await step('see the alert on the dashboard', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const count = Number(await text(page.locator('#alert-count')));
    check(count >= 1, `at least one low-stock alert (got ${count})`);
    const paid = Number(await text(page.locator('.count[data-state="paid"]')));
    check(paid >= 1, `the paid order is counted (got ${paid})`);
    await page.locator('#health li').first().waitFor();
    const down = await page.locator('#health li.down').count();
    check(down === 0, `every service is up (${down} down)`);
    await shot(page, 'dashboard');
    await page.getByRole('link', { name: /Low-stock alerts/ }).first().click();
    await page.locator('tr.low', { hasText: 'Catnip mouse' }).waitFor();
  });
  await step('ship the paid order', async () => {
    await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Orders' }).click();
    await page.getByLabel('Status').selectOption('paid');
    await page.getByRole('button', { name: 'Show' }).click();
    const row = page.locator('tr', { hasText: orderShort });
    await row.getByLabel('Carrier').fill('DHL');
    await row.getByLabel('Tracking number').fill('JJD000390007');
    await row.getByRole('button', { name: 'Ship' }).click();
    await page.getByText('The order is marked shipped.').waitFor();
    await page.locator('tr', { hasText: orderShort }).getByText('Shipped').waitFor();
    await page.getByRole('link', { name: orderShort }).click();
    await page.locator('#order-status', { hasText: 'Shipped' }).waitFor();
    await page.getByText('DHL — tracking number JJD000390007').waitFor();
  });
}

async function backOffice(page) {
  const staffNav = (name) => page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name, exact: true });
  await step('create a category, refused then accepted', async () => {
    await shopNav(page, 'Staff').click();
    await staffNav('Categories').click();
    await page.getByLabel('Name').fill('Birds');
    await page.getByLabel('Slug').fill('Not a slug!');
    await page.getByRole('button', { name: 'Create category' }).click();
    await page.locator('#slug-error').waitFor();
    log(`  slug refused: "${await text(page.locator('#slug-error'))}"`);
    await page.getByLabel('Slug').fill('birds');
    await page.getByRole('button', { name: 'Create category' }).click();
    await page.getByText('Created.').waitFor();
    await page.getByRole('cell', { name: 'birds', exact: true }).waitFor();
  });
  await step('add a pet and see it in the shop', async () => {
    await staffNav('Pets').click();
    await page.getByLabel('Name', { exact: true }).fill('Polly');
    await page.getByLabel('Species').fill('bird');
    await page.getByLabel('Breed').fill('Parrot');
    await page.getByLabel('Category').selectOption({ label: 'Birds' });
    await page.getByLabel('Tags (comma-separated)').fill('talkative, colourful');
    await page.getByLabel('Price (EUR)').fill('120');
    await page.getByRole('button', { name: 'Add pet' }).click();
    await page.getByText('Created.').waitFor();
    await page.goto(base + '/pets?species=bird');
    await page.getByRole('link', { name: 'Polly' }).waitFor();
  });
  await step('edit a pet and a category', async () => {
    await page.goto(base + '/staff/pets');
    await page.getByRole('link', { name: 'Polly' }).click();
    await page.getByLabel('Status').selectOption('pending');
    await page.getByLabel('Price (EUR)').fill('99.50');
    await page.getByRole('button', { name: 'Save pet' }).click();
    await page.getByText('Saved.').waitFor();
    await page.locator('tr', { hasText: 'Polly' }).getByText('99.50 EUR · pending').waitFor();
    await staffNav('Categories').click();
    await page.getByRole('link', { name: 'Birds' }).click();
    await page.getByLabel('Name').fill('Birds and parrots');
    await page.getByRole('button', { name: 'Save category' }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByRole('cell', { name: 'Birds and parrots', exact: true }).waitFor();
    await page.goto(base + '/staff/stores');
  });
  await step('adjust stock with a reason and transfer to another store', async () => {
    await page.getByRole('link', { name: 'Berlin Mitte' }).click();
    await page.getByLabel('Units of Chew rope (DOG-ROPE-1) to add (negative removes)').fill('-1');
    await page.getByLabel('Why Chew rope (DOG-ROPE-1) is adjusted').fill('chewed by the shop dog');
    await page.locator('tr', { hasText: 'Chew rope' }).getByRole('button', { name: 'Adjust' }).click();
    await page.getByText('Stock updated.').waitFor();
    await page.getByLabel('Product to transfer').selectOption({ label: 'Chew rope (DOG-ROPE-1)' });
    await page.getByLabel('To', { exact: true }).selectOption({ label: 'Hamburg Hafen' });
    await page.getByLabel('Units', { exact: true }).fill('5');
    await page.getByLabel('Reason for the transfer').fill('Hamburg runs low');
    await page.getByRole('button', { name: 'Transfer' }).click();
    await page.getByText('Transfer done.').waitFor();
    await page.locator('td', { hasText: 'chewed by the shop dog' }).waitFor();
    await page.locator('td', { hasText: 'Hamburg runs low' }).first().waitFor();
    await shot(page, 'store', { fullPage: true });
  });
  await step('deliver the shipped order and list the users', async () => {
    await staffNav('Orders').click();
    await page.getByLabel('Status').selectOption('shipped');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('button', { name: 'Mark delivered' }).first().click();
    await page.getByText('The order is marked delivered.').waitFor();
    await staffNav('Users').click();
    await page.getByRole('cell', { name: 'Sam Shopper', exact: true }).waitFor();
    await page.getByLabel('Role of Sam Shopper').selectOption('admin');
    await page.locator('tr', { hasText: 'Sam Shopper' }).getByRole('button', { name: 'Change' }).click();
    await page.getByText('The role was changed.').waitFor();
    check((await page.getByLabel('Role of Sam Shopper').inputValue()) === 'admin', 'Sam is an administrator now');
  });
}

async function main() {
  mkdirSync(shots, { recursive: true });
  log(`store at ${base}; screenshots in ${shots}`);
  await step('seed the catalog through the API', seed);
  const { context, profile } = await launch();
  try {
    const page = context.pages()[0] || (await context.newPage());
    watch(page);
    currentPage = page;
    const orderUrl = await shopper(page);
    await context.clearCookies();
    await staff(page, orderUrl);
    await backOffice(page);
    check(problems.length === 0, `the pages stayed clean:\n  ${problems.join('\n  ')}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  log('every journey passed');
}

main().catch((err) => {
  console.error(`journeys FAILED: ${err.message}`);
  process.exit(1);
});
