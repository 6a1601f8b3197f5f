<?php
declare(strict_types=1);
require __DIR__ . '/../bootstrap.php';

function format_price(string $amount, string $currency): string
{
    return $currency . ' ' . number_format((float)$amount, 2);
}

$id = (int)($_GET['id'] ?? 0);
$stmt = db()->prepare('SELECT id, category, name, price, currency FROM items WHERE id = ?');
$stmt->execute([$id]);
$item = $stmt->fetch();
if ($item === false) {
    json_out(404, ['error' => 'not found']);
    exit;
}
// Items imported without a currency (NULL) make format_price() throw a TypeError (strict_types): a generic 500.
$item['display_price'] = format_price($item['price'], $item['currency']);
json_out(200, $item);
