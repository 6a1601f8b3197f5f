<?php
declare(strict_types=1);
require __DIR__ . '/../bootstrap.php';

db()->query('SELECT 1')->fetchColumn();
json_out(200, ['status' => 'ok']);
