<?php
declare(strict_types=1);
require __DIR__ . '/../bootstrap.php';

$category = (string)($_GET['category'] ?? 'c1');
$stmt = db()->prepare('SELECT id, name, price FROM items WHERE category = ? ORDER BY id DESC LIMIT 20');
$stmt->execute([$category]);
json_out(200, ['items' => $stmt->fetchAll()]);
