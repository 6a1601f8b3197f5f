<?php
declare(strict_types=1);
require __DIR__ . '/../bootstrap.php';

// A customer's monthly report: one indexed read, then a call to the (simulated) billing service, ~50 ms,
// during which this FPM child can serve nothing else.
$customer = (int)($_GET['customer'] ?? 1);
$stmt = db()->prepare('SELECT customer_id, month, total FROM monthly_totals WHERE customer_id = ? ORDER BY month DESC LIMIT 12');
$stmt->execute([$customer]);
$months = $stmt->fetchAll();
usleep(50000);
json_out(200, ['customer' => $customer, 'months' => $months]);
